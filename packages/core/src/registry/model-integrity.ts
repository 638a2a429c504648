import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { ModelConfig } from '../model.js';

/** A sha256 digest as lower-case hex (64 characters). */
export const SHA256_PATTERN = '^[0-9a-fA-F]{64}$';

/**
 * The sha256 of a file as lower-case hex, read as a stream: a model of
 * several hundred MB is hashed without holding it in memory, and the event
 * loop keeps turning (loading happens while the server already answers).
 *
 * @example
 * ```ts
 * await sha256OfFile('/models/purchase/1/model.onnx'); // '3f1a…'
 * ```
 */
export function sha256OfFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    const stream = createReadStream(file, { highWaterMark: 1 << 20 });
    stream.on('data', (chunk) => hash.update(chunk));
    stream.on('error', reject);
    stream.on('end', () => resolve(hash.digest('hex')));
  });
}

/**
 * The digest a version's model file must have, or undefined when the model
 * pins none. A single hex string pins every version (meant for a model with
 * one); a map pins versions by name, and a version missing from a map gets
 * `null`: pinning is all or nothing, so a version dropped into the folder
 * later is not served unchecked.
 */
export function expectedSha256(config: ModelConfig, version: string): string | null | undefined {
  const pinned = config.sha256;
  if (pinned === undefined) return undefined;
  if (typeof pinned === 'string') return pinned.toLowerCase();
  const v = pinned[version];
  return v === undefined ? null : v.toLowerCase();
}

/**
 * Checks a version's model file against its pinned sha256: undefined when it
 * matches or nothing is pinned, otherwise the reason the version must not load.
 */
export async function integrityProblem(config: ModelConfig, version: string, file: string): Promise<string | undefined> {
  const expected = expectedSha256(config, version);
  if (expected === undefined) return undefined;
  if (expected === null) return `sha256: no digest pinned for version ${version} (sha256 lists ${Object.keys(config.sha256 as object).join(', ')})`;
  let actual: string;
  try {
    actual = await sha256OfFile(file);
  } catch (e) {
    return `sha256: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`;
  }
  return actual === expected ? undefined : `sha256 mismatch: expected ${expected}, got ${actual}`;
}
