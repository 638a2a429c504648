import { writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { ModelConfig, ReadyModel } from '@ponte/core';
import { newestReadyVersion, startOfflineServer, taskOf, type Prediction } from '@ponte/http';
import { buildProfile, mergeProfiles, type Label, type ModelOutput, type ModelTask, type ProfileRow, type ReferenceProfile } from './engine/index.js';
import { labelClass } from './monitored-rows.js';
import { monitoringConfig } from './monitoring-config.js';
import { readReferenceFile, type ReferenceRecord } from './reference-rows.js';

export interface ProfileCommandOptions {
  readonly config: string;
  readonly model: string;
  readonly data: readonly string[];
  readonly version?: string;
  /** The label column; by default the one column of the file that is not a feature, if there is exactly one. */
  readonly label?: string;
  /** Where to write; by default the model's `monitoring.profile` (profile.json) in the version's folder. */
  readonly out?: string;
  readonly progress: boolean;
}

export interface ProfileIo {
  out(s: string): void;
  err(s: string): void;
}

/** Rows sent to the model per request. */
const BATCH = 512;

function engineTask(config: ModelConfig, model: ReadyModel): ModelTask | undefined {
  const task = taskOf(config, model.signature);
  return task === 'binary_classification' ? 'binary' : task === 'multiclass_classification' ? 'multiclass' : task === 'regression' ? 'regression' : undefined;
}

function outputOf(p: Prediction, task: ModelTask | undefined): ModelOutput | undefined {
  if ('probabilities' in p) return task === 'binary' && p.probability !== undefined ? p.probability : Object.values(p.probabilities);
  if ('prediction' in p) return typeof p.prediction === 'number' ? p.prediction : undefined;
  return undefined;
}

/**
 * `ponte profile`: runs the model on reference data (through the server's own
 * named-feature API, in process, on an ephemeral local port, with only the
 * model-format, protocol, validator and transform plugins of the config —
 * nothing is logged, monitored or authenticated) and writes the reference
 * profile the monitor compares production traffic with.
 */
export async function profileCommand(o: ProfileCommandOptions, io: ProfileIo): Promise<string> {
  const server = await startOfflineServer(o.config);
  try {
    const model = newestReadyVersion(server, o.model, o.version);
    const config = model.config;
    const names = config.features?.map((f) => f.name) ?? [];
    if (names.length === 0) throw new Error(`model "${o.model}" has no feature names (models[].features or model.yaml): a profile is made of named features`);
    const task = engineTask(config, model);
    const shape = { task: config.task, labels: config.labels, mainOutput: config.mainOutput, featureNames: names };
    const url = `http://127.0.0.1:${server.port}/v1/models/${encodeURIComponent(model.name)}/versions/${encodeURIComponent(model.version)}:predict`;

    let profile: ReferenceProfile | undefined;
    for (const file of o.data) {
      const rows: ProfileRow[] = [];
      let labelColumn = o.label;
      let pending: ReferenceRecord[] = [];
      const bar = o.progress ? new SingleBar({ format: `${file} [{bar}] {percentage}% | {value}/{total} bytes`, stream: process.stderr }) : undefined;
      let started = false;
      const flush = async (): Promise<void> => {
        if (pending.length === 0) return;
        const instances = pending.map((r) => Object.fromEntries(names.map((n) => [n, r[n] ?? null])));
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instances }) });
        const body = (await res.json()) as { predictions?: Prediction[]; error?: string };
        if (!res.ok || body.predictions === undefined) throw new Error(`${file}: the model refused rows ${rows.length + 1}–${rows.length + pending.length}: ${body.error ?? `HTTP ${res.status}`}`);
        for (let i = 0; i < pending.length; i++) {
          const r = pending[i]!;
          const output = outputOf(body.predictions[i]!, task);
          const raw = labelColumn === undefined ? undefined : r[labelColumn];
          let label: Label | undefined;
          if (raw !== undefined && raw !== null) {
            label = task === 'regression' ? Number(raw) : (labelClass({ id: '', label: raw as string | number }, shape) as Label | undefined);
          }
          rows.push({ features: instances[i]!, ...(output !== undefined ? { output } : {}), ...(label !== undefined ? { label } : {}) });
        }
        pending = [];
      };
      for await (const record of readReferenceFile(resolve(file), (bytes, total) => {
        if (bar === undefined) return;
        if (!started) { bar.start(total, 0); started = true; }
        bar.update(bytes);
      })) {
        if (labelColumn === undefined && rows.length === 0 && pending.length === 0) {
          const extra = Object.keys(record).filter((k) => !names.includes(k));
          if (extra.length === 1) labelColumn = extra[0];
        }
        pending.push(record);
        if (pending.length >= BATCH) await flush();
      }
      await flush();
      bar?.stop();
      if (rows.length === 0) throw new Error(`${file}: no rows`);
      const built = buildProfile(rows, {
        features: names.map((n) => ({ name: n, type: config.features?.find((f) => f.name === n)?.type === 'string' ? 'categorical' : 'numeric' })),
        ...(task !== undefined ? { task } : {}),
        ...(config.labels !== undefined ? { classes: config.labels } : {}),
        ...(profile !== undefined ? { binsFrom: profile } : {}),
      });
      profile = profile === undefined ? built : mergeProfiles(profile, built);
      io.err(`${file}: ${rows.length} rows${labelColumn !== undefined ? `, labels from column "${labelColumn}"` : ', no labels'}\n`);
    }
    const target = o.out !== undefined ? resolve(o.out) : (() => {
      const p = monitoringConfig(config.monitoring).profile;
      return isAbsolute(p) ? p : join(config.source, model.version, p);
    })();
    writeFileSync(target, `${JSON.stringify(profile, null, 1)}\n`);
    io.out(`${target}\n`);
    return target;
  } finally {
    await server.stop();
  }
}
