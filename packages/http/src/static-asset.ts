import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import type { HttpAnswer } from './http-answer.js';
import type { HttpExchange } from './http-exchange.js';

const gzip = promisify(gzipCb);

/** A file held in memory, ready to send from a route: pages, scripts, styles, documents. */
export interface StaticAsset {
  readonly type: string;
  readonly body: Uint8Array;
  /** Gzipped body, when compressing it is worth it. */
  readonly gzip?: Uint8Array;
  /** Strong ETag. */
  readonly etag: string;
}

/** Strong ETag of some bytes or text. */
export function etagOf(data: Uint8Array | string): string {
  return `"${createHash('sha256').update(data).digest('base64url').slice(0, 27)}"`;
}

/** Makes an asset once (at a plugin's start, never per request): its ETag, and a gzipped copy of text over 1 KB. */
export async function makeStaticAsset(type: string, body: Uint8Array): Promise<StaticAsset> {
  const compressible = type.startsWith('text/') || type.startsWith('application/json');
  const gz = compressible && body.byteLength > 1024 ? new Uint8Array(await gzip(body, { level: 9 })) : undefined;
  return { type, body, etag: etagOf(body), ...(gz !== undefined ? { gzip: gz } : {}) };
}

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch.split(',').some((t) => {
    const v = t.trim();
    return v === '*' || v === etag || v === `W/${etag}`;
  });
}

/**
 * A route's answer for an asset: with its ETag and `cacheControl`, a 304 to a
 * matching If-None-Match, gzip to clients that accept it, and `extra` headers
 * (an HTML page's security headers).
 */
export function sendStaticAsset(x: HttpExchange, a: StaticAsset, cacheControl: string, extra: Record<string, string> = {}): HttpAnswer {
  const headers: Record<string, string> = { 'Cache-Control': cacheControl, ETag: a.etag, 'X-Content-Type-Options': 'nosniff', ...extra };
  if (a.gzip !== undefined) headers['Vary'] = 'Accept-Encoding';
  if (matches(x.headers['if-none-match'], a.etag)) return { status: 304, headers };
  if (a.gzip !== undefined && /\bgzip\b/i.test(x.headers['accept-encoding'] ?? '')) {
    headers['Content-Encoding'] = 'gzip';
    return { status: 200, contentType: a.type, body: a.gzip, headers };
  }
  return { status: 200, contentType: a.type, body: a.body, headers };
}
