import { readFileSync } from 'node:fs';
import type { GoldenCheck } from './results.js';

/** A model's golden.json: ten input rows and the answers scikit-learn gives. */
export interface Golden {
  model: string;
  task: string;
  input_name: string;
  output_name: string;
  tolerance: { atol: number; rtol: number };
  feature_names: string[];
  inputs: number[][];
  inputs_named: Array<Record<string, number>>;
  expected: number[][];
}

/** Reads a golden.json file. */
export function loadGolden(file: string): Golden {
  return JSON.parse(readFileSync(file, 'utf8')) as Golden;
}

/**
 * What a contender's answer means, in golden terms: the numbers it gave and
 * the expected numbers they are compared with (a binary peer answers only the
 * positive class's probability, so only that is compared). A string says why
 * the answer could not be read.
 */
export type Extracted = { got: number[]; ref: number[] } | string;

/** One way of asking a model for a one-row prediction: the URL path, the body, and how to read the answer. */
export interface ApiFlavour {
  /** `oip`, `named` or `peer`. */
  name: string;
  path(model: string): string;
  body(golden: Golden, row: number): unknown;
  extract(answer: unknown, expected: number[], golden: Golden): Extracted;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const numbers = (v: unknown): number[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'number') ? (v as number[]) : undefined);

/** Open Inference Protocol v2 REST: `POST /v2/models/<m>/infer` with one FP32 row. */
export const oipApi: ApiFlavour = {
  name: 'oip',
  path: (m) => `/v2/models/${m}/infer`,
  body: (g, row) => ({ inputs: [{ name: g.input_name, datatype: 'FP32', shape: [1, g.inputs[row]!.length], data: g.inputs[row] }] }),
  extract(answer, expected, g) {
    if (!isObj(answer) || !Array.isArray(answer['outputs'])) return `no "outputs" in ${JSON.stringify(answer).slice(0, 200)}`;
    const out = (answer['outputs'] as unknown[]).find((o) => isObj(o) && o['name'] === g.output_name);
    const data = isObj(out) ? numbers(out['data']) : undefined;
    return data ? { got: data, ref: expected } : `no numeric output "${g.output_name}"`;
  },
};

/** Ponte's named-feature API: `POST /v1/models/<m>:predict` with `{"instances":[{...}]}`. */
export const namedApi: ApiFlavour = {
  name: 'named',
  path: (m) => `/v1/models/${m}:predict`,
  body: (g, row) => ({ instances: [g.inputs_named[row]] }),
  extract(answer, expected) {
    const p = isObj(answer) && Array.isArray(answer['predictions']) ? (answer['predictions'] as unknown[])[0] : undefined;
    if (!isObj(p)) return `no "predictions" in ${JSON.stringify(answer).slice(0, 200)}`;
    // Probabilities are keyed by label, in the model's class order.
    if (isObj(p['probabilities'])) return { got: Object.values(p['probabilities']).map(Number), ref: expected };
    if (typeof p['prediction'] === 'number') return { got: [p['prediction']], ref: expected };
    return `no "probabilities" or "prediction" in ${JSON.stringify(p).slice(0, 200)}`;
  },
};

/** The peers' API (shared/peers): `POST /predict` with `{"features": {...}}`. */
export const peerApi: ApiFlavour = {
  name: 'peer',
  path: () => '/predict',
  body: (g, row) => ({ features: g.inputs_named[row] }),
  extract(answer, expected) {
    if (!isObj(answer)) return `not a JSON object: ${JSON.stringify(answer).slice(0, 200)}`;
    if (typeof answer['prediction'] === 'number') return { got: [answer['prediction']], ref: expected };
    const probs = numbers(answer['probabilities']);
    if (probs) return { got: probs, ref: expected };
    if (typeof answer['probability'] === 'number') return { got: [answer['probability']], ref: expected.slice(-1) };
    return `no "prediction", "probabilities" or "probability" in ${JSON.stringify(answer).slice(0, 200)}`;
  },
};

/**
 * Compares numbers with golden's tolerance (|got - ref| <= atol + rtol*|ref|).
 * Returns the largest difference and whether every value is within tolerance
 * (a length mismatch or NaN is never within).
 */
export function compareValues(got: number[], ref: number[], tol: Golden['tolerance']): { ok: boolean; maxAbs: number } {
  if (got.length !== ref.length) return { ok: false, maxAbs: Infinity };
  let ok = true;
  let maxAbs = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(got[i]! - ref[i]!);
    maxAbs = Number.isNaN(d) ? Infinity : Math.max(maxAbs, d);
    if (!(d <= tol.atol + tol.rtol * Math.abs(ref[i]!))) ok = false;
  }
  return { ok, maxAbs };
}

/**
 * Sends every golden row, one request per row, to `baseUrl` + the flavour's
 * path (with `headers`, e.g. credentials) and checks each answer. A contender
 * failing this is not measured.
 *
 * @example
 * const check = await checkGolden('http://127.0.0.1:8000', peerApi, 'purchase', golden);
 * if (!check.ok) console.log(check.failures[0]);
 */
export async function checkGolden(baseUrl: string, api: ApiFlavour, model: string, golden: Golden, headers: Readonly<Record<string, string>> = {}): Promise<GoldenCheck> {
  const failures: string[] = [];
  let maxAbs = 0;
  for (let i = 0; i < golden.inputs.length; i++) {
    let answer: unknown;
    try {
      const res = await fetch(baseUrl + api.path(model), {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(api.body(golden, i)),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      if (res.status !== 200) { failures.push(`row ${i}: HTTP ${res.status} ${text.slice(0, 200)}`); continue; }
      answer = JSON.parse(text);
    } catch (e) {
      failures.push(`row ${i}: ${(e as Error).message}`);
      continue;
    }
    const ex = api.extract(answer, golden.expected[i]!, golden);
    if (typeof ex === 'string') { failures.push(`row ${i}: ${ex}`); continue; }
    const c = compareValues(ex.got, ex.ref, golden.tolerance);
    maxAbs = Math.max(maxAbs, c.maxAbs);
    if (!c.ok) failures.push(`row ${i}: got ${JSON.stringify(ex.got)}, expected ${JSON.stringify(ex.ref)}`);
  }
  return { ok: failures.length === 0, rows: golden.inputs.length, maxAbs, failures };
}
