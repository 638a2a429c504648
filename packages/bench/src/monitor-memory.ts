import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE_MODELS, REPO_ROOT } from './paths.js';
import type { MonitorMemory } from './results.js';

/** A reference profile, as far as the measurement reads it. */
export interface ProfileShape {
  feature_order: string[];
  features: Record<string, unknown>;
  output: unknown;
}

/** The part of `@ponte/monitor`'s engine the measurement uses, imported when the section runs. */
export interface MonitorEngine {
  WindowAccumulator: new (profile: ProfileShape) => {
    add(features: Readonly<Record<string, unknown>>, output?: number): void;
    toJSON(): { rows: number; features: Record<string, unknown>; output: unknown };
  };
  seededRandom(seed: number): () => number;
}

/** Rows added to the window before it is measured: counters stop growing in size long before. */
export const MEMORY_ROWS = 100_000;

const bytes = (x: unknown): number => Buffer.byteLength(JSON.stringify(x) ?? '', 'utf8');

/**
 * Reads a CSV of numbers with a header line into rows by column name (the
 * example data: no quotes, no empty cells).
 */
export function readNumericCsv(text: string): Array<Record<string, number>> {
  const [head, ...lines] = text.trim().split(/\r?\n/);
  const names = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i]!, Number(v)])));
}

/**
 * The monitor's state per monitored feature, measured directly and
 * deterministically: a `WindowAccumulator` over `profile` gets `count` rows
 * (`rows` cycled, each with an output score from a seeded uniform generator:
 * every output bin filled, so the output's counters are at their longest),
 * and its saved state (`toJSON()`, what the monitor keeps for the open
 * window and writes to the store on every tick) is measured as UTF-8 JSON,
 * whole and feature by feature, beside the profile's compact JSON.
 */
export function monitorMemoryOf(engine: MonitorEngine, profile: ProfileShape, rows: ReadonlyArray<Record<string, number>>, count: number, source: string): MonitorMemory {
  const acc = new engine.WindowAccumulator(profile);
  const score = engine.seededRandom(20240601);
  for (let i = 0; i < count; i++) acc.add(rows[i % rows.length]!, score());
  const state = acc.toJSON();
  const names = profile.feature_order;
  const perFeature = Object.fromEntries(names.map((n) => [n, { window: bytes(state.features[n]), profile: bytes(profile.features[n]) }]));
  const windows = names.map((n) => perFeature[n]!.window);
  const n = Math.max(1, names.length);
  return {
    status: 'ok',
    features: names.length,
    rowsAdded: state.rows,
    windowBytes: bytes(state),
    windowBytesPerFeature: windows.reduce((a, b) => a + b, 0) / n,
    maxWindowBytesPerFeature: Math.max(0, ...windows),
    outputWindowBytes: bytes(state.output),
    profileBytes: bytes(profile),
    profileBytesPerFeature: names.reduce((a, f) => a + perFeature[f]!.profile, 0) / n,
    perFeature,
    source,
  };
}

/**
 * `monitorMemoryOf` on a model's reference profile
 * (examples/models/<m>/1/profile.json) with the example data's reference rows
 * (examples/data/<m>/reference.csv); a failed measurement says why.
 */
export async function measureMonitorMemory(model: string, count = MEMORY_ROWS): Promise<MonitorMemory> {
  const csv = join(REPO_ROOT, 'examples', 'data', model, 'reference.csv');
  const source = `examples/data/${model}/reference.csv cycled to ${count.toLocaleString('en-US')} rows, output scores from a seeded uniform generator`;
  try {
    const specifier = '@ponte/monitor';
    const engine = (await import(specifier)) as MonitorEngine;
    const profile = JSON.parse(readFileSync(join(EXAMPLE_MODELS, model, '1', 'profile.json'), 'utf8')) as ProfileShape;
    return monitorMemoryOf(engine, profile, readNumericCsv(readFileSync(csv, 'utf8')), count, source);
  } catch (e) {
    return { status: 'failed', note: (e as Error).message.split('\n')[0], features: 0, rowsAdded: 0, windowBytes: 0, windowBytesPerFeature: 0, maxWindowBytesPerFeature: 0, outputWindowBytes: 0, profileBytes: 0, profileBytesPerFeature: 0, perFeature: {}, source };
  }
}
