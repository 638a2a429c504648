import { jsonNestsDeeper, parseJson, tooDeep } from './body.js';

/** The optional accelerator's interface (`@ponte/oip-json-native`), typed here so core does not depend on it. */
interface InferBodySplitter {
  splitInferBody(bytes: Uint8Array): { json: string; data: Array<{ input: number; values: Float64Array }> } | undefined;
  unavailableReason: string | undefined;
}

/**
 * Below this size JSON.parse is as fast as the native split (the call into the
 * addon and the string it makes cost ~1 µs; the split wins from ~20 full-precision
 * numbers, and takes 6.5 µs where JSON.parse takes 15.7 µs for a 256-float row).
 */
const NATIVE_MIN_BYTES = 512;

async function loadSplitter(): Promise<InferBodySplitter | undefined> {
  if (process.env['PONTE_NATIVE_JSON'] === '0') return undefined;
  // A variable specifier: core builds and runs without the package.
  const name = '@ponte/oip-json-native';
  try {
    const mod = (await import(name)) as InferBodySplitter;
    return mod.unavailableReason === undefined ? mod : undefined;
  } catch {
    return undefined;
  }
}

const splitter = await loadSplitter();

/** Whether OIP JSON bodies are parsed with the native accelerator (false: JSON.parse only). */
export const nativeInferJson: boolean = splitter !== undefined;

/**
 * Parses an OIP JSON infer body. With `@ponte/oip-json-native` built, flat
 * number arrays at `inputs[i].data` come back as Float64Arrays holding
 * exactly the doubles JSON.parse would give (the decoder treats both alike);
 * any body the addon does not take plainly goes to JSON.parse, which also
 * words the errors. Those Float64Arrays are views of a buffer the next call
 * reuses: decode the body (which copies them) before parsing another.
 *
 * Both paths refuse what `parseJson` refuses: the addon takes ASCII bodies
 * only (anything else goes to `parseJson`, which checks UTF-8), and the text
 * it leaves (the body without its number arrays) is checked for depth.
 */
export function parseInferJson(bytes: Uint8Array, maxDepth: number): unknown {
  if (splitter === undefined || bytes.byteLength < NATIVE_MIN_BYTES) return parseJson(bytes, maxDepth);
  const split = splitter.splitInferBody(bytes);
  if (split === undefined) return parseJson(bytes, maxDepth);
  if (jsonNestsDeeper(split.json, maxDepth)) throw tooDeep('body', maxDepth);
  let body: { inputs: Array<Record<string, unknown>> };
  try {
    body = JSON.parse(split.json) as typeof body;
  } catch {
    return parseJson(bytes, maxDepth);
  }
  for (const d of split.data) body.inputs[d.input]!['data'] = d.values;
  return body;
}
