import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { PonteError } from '@ponte/core';
import type { BinaryInputs } from './oip-json-codec.js';

/**
 * Reads a Node request body, refusing more than `limit` bytes with 413 —
 * before reading when the length is declared, as soon as the limit is crossed
 * otherwise. It reads Node's request stream directly: building a WHATWG
 * Request and stream per call costs more than the model run for small models.
 */
export function readIncoming(incoming: IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = incoming.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(tooLarge(limit));
  return new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.byteLength;
      if (size > limit) {
        cleanup();
        incoming.pause();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (e: Error): void => {
      cleanup();
      reject(new PonteError('PONTE_BAD_REQUEST', `body: could not be read (${e.message})`));
    };
    const onAborted = (): void => onError(new Error('client closed the connection'));
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('aborted', onAborted);
  });
}

/** Reads a WHATWG Request body (the fetch adapter) with the same limit rules as `readIncoming`. */
export async function readWebRequest(raw: Request, limit: number): Promise<Uint8Array> {
  const declared = raw.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit);
  if (raw.body === null) return new Uint8Array(0);
  const reader = raw.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let off = 0;
  for (const ch of chunks) { out.set(ch, off); off += ch.byteLength; }
  return out;
}

function tooLarge(limit: number): PonteError {
  return new PonteError('PONTE_BODY_TOO_LARGE', `body: larger than the limit of ${limit} bytes (server.bodyLimitBytes)`, { headers: { Connection: 'close' } });
}

const decoder = new TextDecoder();

/** Byte classes for the depth scan: 1 a quote, 2 an opening bracket or brace, 3 a closing one. */
const JSON_BYTE = new Uint8Array(256);
JSON_BYTE[0x22] = 1;
JSON_BYTE[0x5b] = 2;
JSON_BYTE[0x7b] = 2;
JSON_BYTE[0x5d] = 3;
JSON_BYTE[0x7d] = 3;

/**
 * Whether JSON text (bytes, or char codes of a string) nests arrays and
 * objects deeper than `limit`. A scan of the bytes (~1 ns a byte), before
 * JSON.parse: a body of nothing but `[` takes JSON.parse 4× longer per byte
 * than a body of numbers, and what it builds overflows the stack of any
 * recursive walk after it (JSON.stringify among them).
 */
export function jsonNestsDeeper(text: Uint8Array | string, limit: number): boolean {
  let depth = 0;
  if (typeof text === 'string') {
    for (let i = 0, n = text.length; i < n; i++) {
      const c = text.charCodeAt(i);
      const k = c < 0x80 ? JSON_BYTE[c]! : 0;
      if (k === 0) continue;
      if (k === 1) { for (i++; i < n; i++) { const d = text.charCodeAt(i); if (d === 0x5c) i++; else if (d === 0x22) break; } }
      else if (k === 2) { if (++depth > limit) return true; }
      else depth--;
    }
    return false;
  }
  for (let i = 0, n = text.length; i < n; i++) {
    const k = JSON_BYTE[text[i]!]!;
    if (k === 0) continue;
    // Inside a string, brackets are text; an escaped quote does not end it.
    if (k === 1) { for (i++; i < n; i++) { const d = text[i]!; if (d === 0x5c) i++; else if (d === 0x22) break; } }
    else if (k === 2) { if (++depth > limit) return true; }
    else depth--;
  }
  return false;
}

/** The 400 for a body nested past `server.limits.jsonDepth`. */
export function tooDeep(what: string, limit: number): PonteError {
  return new PonteError('PONTE_BAD_REQUEST', `${what}: nests arrays and objects deeper than the limit of ${limit} (server.limits.jsonDepth)`);
}

/**
 * Parses a JSON body: refuses an empty body, bytes that are not UTF-8
 * (which decoding would silently turn into U+FFFD), and nesting deeper than
 * `maxDepth`, then turns syntax errors into a 400 that says where.
 */
export function parseJson(bytes: Uint8Array, maxDepth: number, what = 'body'): unknown {
  if (bytes.byteLength === 0) throw new PonteError('PONTE_BAD_REQUEST', `${what}: is empty; expected a JSON object`);
  if (!isUtf8(bytes)) throw new PonteError('PONTE_BAD_REQUEST', `${what}: is not valid UTF-8 (JSON text must be UTF-8)`);
  if (jsonNestsDeeper(bytes, maxDepth)) throw tooDeep(what, maxDepth);
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch (e) {
    throw new PonteError('PONTE_BAD_REQUEST', `${what}: invalid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

/**
 * Splits a body of the binary tensor data extension: a JSON header of
 * `Inference-Header-Content-Length` bytes followed by the raw tensors of the
 * inputs that carry `parameters.binary_data_size`, in input order.
 */
export function splitBinaryBody(bytes: Uint8Array, headerLength: string, maxDepth: number): { json: unknown; binary: BinaryInputs } {
  const n = Number(headerLength);
  if (!Number.isInteger(n) || n <= 0 || n > bytes.byteLength) {
    throw new PonteError('PONTE_BAD_REQUEST', `Inference-Header-Content-Length: must be an integer between 1 and the body size (${bytes.byteLength}), got "${headerLength}"`);
  }
  const json = parseJson(bytes.subarray(0, n), maxDepth, 'body (JSON header)');
  const binary: BinaryInputs = new Map();
  let off = n;
  const inputs = (json as { inputs?: unknown }).inputs;
  if (Array.isArray(inputs)) {
    inputs.forEach((t, i) => {
      const size = (t as { parameters?: { binary_data_size?: unknown } } | null)?.parameters?.binary_data_size;
      if (size === undefined) return;
      if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) throw new PonteError('PONTE_BAD_REQUEST', `inputs[${i}].parameters.binary_data_size: must be a non-negative integer`);
      if (off + size > bytes.byteLength) throw new PonteError('PONTE_BAD_REQUEST', `inputs[${i}].parameters.binary_data_size: ${size} bytes run past the end of the body`);
      binary.set(i, bytes.subarray(off, off + size));
      off += size;
    });
  }
  if (off !== bytes.byteLength) throw new PonteError('PONTE_BAD_REQUEST', `body: ${bytes.byteLength - off} bytes after the JSON header are not claimed by any binary_data_size`);
  return { json, binary };
}
