/** The limits and checks of the document and lease API that every prediction store applies alike. */
import { PonteError } from '../errors.js';
import type { DocumentQuery, StoredDocument } from './prediction-store.js';

/** Longest `kind`, `key`, lease name or owner, in UTF-16 code units: a bound on the primary key's size. */
export const MAX_NAME_LENGTH = 256;

/** Most documents one `listDocuments` returns, whatever `limit` asks. */
export const MAX_DOCUMENT_PAGE = 1000;

/** Longest lease, ms (about 24.8 days, setTimeout's limit): a bound PostgreSQL's interval arithmetic stays far from. */
export const MAX_LEASE_TTL_MS = 2_147_483_647;

/** The latest epoch-ms time a `Date` holds; documents' times lie in [0, this]. */
const MAX_TIME = 8.64e15;

/** A lone UTF-16 surrogate (a paired one is one code point in a `u` regex, so it does not match) or a NUL. */
const UNSTORABLE = /[\u0000\p{Surrogate}]/u;

/**
 * Why `text` cannot be a kind, key or lease name, or undefined when it can:
 * 1 to 256 characters, without NUL or a lone surrogate (which UTF-8 cannot
 * hold: the driver would store U+FFFD, a different key, without a word).
 */
export function nameProblem(text: unknown): string | undefined {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_NAME_LENGTH) return `must be a string of 1 to ${MAX_NAME_LENGTH} characters`;
  if (UNSTORABLE.test(text)) return 'must not contain NUL or a lone surrogate';
  return undefined;
}

/**
 * The rules every store applies to a document before it writes anything (so a
 * bad one in a batch stores none): the document with its body as JSON text,
 * or a `PONTE_BAD_REQUEST` naming what is wrong with the `index`-th.
 */
export function documentRow(doc: StoredDocument, index: number): { kind: string; key: string; body: string; time: number } {
  const where = `documents[${index}]`;
  for (const field of ['kind', 'key'] as const) {
    const problem = nameProblem(doc[field]);
    if (problem !== undefined) throw new PonteError('PONTE_BAD_REQUEST', `${where}.${field}: ${problem}`);
  }
  if (typeof doc.time !== 'number' || !Number.isFinite(doc.time) || doc.time < 0 || doc.time > MAX_TIME) {
    throw new PonteError('PONTE_BAD_REQUEST', `${where}.time: must be epoch milliseconds, 0 to ${MAX_TIME}`);
  }
  let body: string | undefined;
  try {
    body = JSON.stringify(doc.body);
  } catch (e) {
    throw new PonteError('PONTE_BAD_REQUEST', `${where}.body: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (body === undefined) throw new PonteError('PONTE_BAD_REQUEST', `${where}.body: not JSON (${typeof doc.body})`);
  return { kind: doc.kind, key: doc.key, body, time: doc.time };
}

/** The page size a query asks for, checked and capped; a prefix or bound that is not text is a bad request. */
export function documentPageLimit(query: DocumentQuery): number {
  if (typeof query.limit !== 'number' || !(query.limit >= 1)) throw new PonteError('PONTE_BAD_REQUEST', 'limit: must be a number >= 1');
  for (const field of ['prefix', 'before'] as const) {
    const value = query[field];
    if (value !== undefined && (typeof value !== 'string' || UNSTORABLE.test(value))) throw new PonteError('PONTE_BAD_REQUEST', `${field}: must be a string without NUL or a lone surrogate`);
  }
  return Math.min(Math.floor(query.limit), MAX_DOCUMENT_PAGE);
}

/** A lease call's arguments, checked: a bad name, owner or ttl is a bad request. */
export function checkLease(name: string, owner: string, ttlMs?: number): void {
  const problem = nameProblem(name);
  if (problem !== undefined) throw new PonteError('PONTE_BAD_REQUEST', `lease name: ${problem}`);
  const ownerProblem = nameProblem(owner);
  if (ownerProblem !== undefined) throw new PonteError('PONTE_BAD_REQUEST', `lease owner: ${ownerProblem}`);
  if (ttlMs !== undefined && (typeof ttlMs !== 'number' || !(ttlMs > 0 && ttlMs <= MAX_LEASE_TTL_MS))) throw new PonteError('PONTE_BAD_REQUEST', `ttlMs: must be a number > 0 and <= ${MAX_LEASE_TTL_MS}`);
}
