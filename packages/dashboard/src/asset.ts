import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';

const gzip = promisify(gzipCb);

/** One file held in memory, ready to send. */
export interface Asset {
  readonly type: string;
  readonly body: Uint8Array;
  /** Gzipped body, when compressing it is worth it. */
  readonly gzip?: Uint8Array;
  /** Strong ETag. */
  readonly etag: string;
}

/** Makes an asset: an ETag from its bytes, and a gzipped copy of text over 1 KB. */
export async function makeAsset(type: string, body: Uint8Array): Promise<Asset> {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  const gz = type.startsWith('text/') && body.byteLength > 1024 ? new Uint8Array(await gzip(body, { level: 9 })) : undefined;
  return { type, body, etag, ...(gz !== undefined ? { gzip: gz } : {}) };
}
