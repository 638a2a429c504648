import { createRequire } from 'node:module';

/**
 * An OIP infer request body split by the native addon: `json` is the body with
 * every flat number array at `inputs[i].data` written as `null`, and `data`
 * pairs each such input's index with its numbers, read as JSON.parse reads
 * them (correctly rounded doubles).
 */
export interface SplitInferBody {
  json: string;
  /** Views of a buffer the next call overwrites. */
  data: Array<{ input: number; values: Float64Array }>;
}

interface Addon {
  parse(bytes: Uint8Array, scratch: Float64Array): Array<string | number> | number | undefined;
}

function load(): { addon?: Addon; error?: string } {
  try {
    return { addon: createRequire(import.meta.url)('../../build/Release/oip_json.node') as Addon };
  } catch (e) {
    return { error: e instanceof Error ? e.message.split('\n')[0]! : String(e) };
  }
}

const loaded = load();

/** Why the addon is not available (not built, or failed to load); undefined when it is. */
export const unavailableReason: string | undefined = loaded.addon === undefined ? loaded.error : undefined;

/** Where the addon writes numbers: reused across calls, grown when a body needs more. */
let scratch = new Float64Array(4096);
/** The most numbers the reused buffer grows to (8 MB), so one huge body does not pin its size for good. */
const MAX_KEPT = 2 ** 20;

/**
 * Splits an OIP JSON infer body, or returns undefined when the addon is not
 * built or the body is anything but plainly well-formed (invalid JSON,
 * escaped or repeated `inputs`/`data` keys, a BOM, non-ASCII text, numbers
 * beyond double range): the caller then parses it with JSON.parse, which
 * gives the error a client should see.
 *
 * The `values` are views of one buffer that the next call overwrites (no
 * allocation per body): copy them out before splitting another body.
 *
 * @example
 * ```ts
 * const split = splitInferBody(Buffer.from('{"inputs":[{"name":"x","shape":[2],"datatype":"FP32","data":[1.5,2]}]}'));
 * // split.json === '{"inputs":[{"name":"x","shape":[2],"datatype":"FP32","data":null}]}'
 * // split.data[0] → { input: 0, values: Float64Array [1.5, 2] }
 * ```
 */
export function splitInferBody(bytes: Uint8Array): SplitInferBody | undefined {
  const addon = loaded.addon;
  if (addon === undefined) return undefined;
  let buffer = scratch;
  let r = addon.parse(bytes, buffer);
  if (typeof r === 'number') {
    // Grow the reused buffer up to 8 MB; a rarer, larger body gets a buffer of its own.
    buffer = new Float64Array(r <= MAX_KEPT ? 2 ** Math.ceil(Math.log2(r)) : r);
    if (buffer.length <= MAX_KEPT) scratch = buffer;
    r = addon.parse(bytes, buffer);
  }
  if (r === undefined || typeof r === 'number') return undefined;
  const data: SplitInferBody['data'] = [];
  for (let k = 1; k < r.length; k += 3) {
    const first = r[k + 1] as number;
    data.push({ input: r[k] as number, values: buffer.subarray(first, first + (r[k + 2] as number)) });
  }
  return { json: r[0] as string, data };
}
