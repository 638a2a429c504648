import type { PredictionStore } from '@ponte/core';
import type { FeatureVerdict } from './engine/index.js';

/** Feature importance in one window, from the explanations `@ponte/explain` sampled from live traffic. */
export interface WindowImportance {
  /** Sampled rows explained in the window. */
  readonly n: number;
  /** Mean |attribution| share per feature (sums to 1). */
  readonly share: Readonly<Record<string, number>>;
  /** The same share on the reference background, when the explain plugin has stored it. */
  readonly reference_share: Readonly<Record<string, number>> | null;
  /** share − reference_share per feature: attribution drift against the reference. */
  readonly share_change: Readonly<Record<string, number>> | null;
  /** importance share × the feature's drift effect size, largest first: the likely root causes. */
  readonly drift_impact: ReadonlyArray<{ readonly feature: string; readonly score: number; readonly share: number; readonly effect_size: number | null }>;
}

/** Document kinds written by `@ponte/explain` (its `IMPORTANCE_DOC`). */
const SAMPLE = 'explain-sample';
const REFERENCE = 'explain-reference';
/** Samples are stored in batches keyed by their first time: look this far before the window for batches reaching into it. */
const SLACK_MS = 10 * 60_000;

function timeKey(ms: number): string {
  return String(Math.max(0, Math.floor(ms))).padStart(15, '0');
}

/**
 * The importance block of a window report: reads the sampled attributions
 * whose time falls in `[from, to]` and ranks drift impact with the window's
 * drift effect sizes. Null when no sample falls in the window (the explain
 * plugin is not loaded, or sampled nothing).
 */
export async function windowImportance(store: PredictionStore, model: string, version: string, from: number, to: number, features: Readonly<Record<string, FeatureVerdict>>): Promise<WindowImportance | null> {
  const prefix = `${model}/${version}/`;
  const floor = prefix + timeKey(from - SLACK_MS);
  let before: string | undefined = prefix + timeKey(to + 1);
  let names: string[] | undefined;
  let totals: number[] | undefined;
  let n = 0;
  for (let page = 0; page < 100 && before !== undefined; page++) {
    const docs = await store.listDocuments({ kind: SAMPLE, prefix, limit: 500, before });
    for (const d of docs) {
      const body = d.body as { features?: string[]; samples?: Array<{ t: number; a: number[] }> };
      if (!Array.isArray(body.features) || !Array.isArray(body.samples)) continue;
      if (names === undefined) {
        names = body.features;
        totals = new Array<number>(names.length).fill(0);
      }
      if (body.features.length !== names.length) continue;
      for (const s of body.samples) {
        if (s.t < from || s.t > to) continue;
        n++;
        for (let i = 0; i < names.length; i++) totals![i]! += s.a[i] ?? 0;
      }
    }
    const last = docs[docs.length - 1];
    before = docs.length < 500 || last === undefined || last.key < floor ? undefined : last.key;
  }
  if (names === undefined || n === 0) return null;
  const sum = totals!.reduce((a, b) => a + b, 0);
  const share = Object.fromEntries(names.map((f, i) => [f, sum > 0 ? totals![i]! / sum : 0]));
  const ref = (await store.getDocument(REFERENCE, `${model}/${version}`))?.body as { share?: Record<string, number> } | undefined;
  const referenceShare = ref?.share ?? null;
  const drift_impact = names.map((feature) => {
    const effect = features[feature]?.drift.effect_size ?? null;
    return { feature, score: share[feature]! * (effect ?? 0), share: share[feature]!, effect_size: effect };
  }).sort((a, b) => b.score - a.score);
  return {
    n,
    share,
    reference_share: referenceShare,
    share_change: referenceShare === null ? null : Object.fromEntries(names.map((f) => [f, share[f]! - (referenceShare[f] ?? 0)])),
    drift_impact,
  };
}
