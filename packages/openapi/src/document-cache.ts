import { createHash } from 'node:crypto';
import { buildDocument, type DocumentContext, type ModelCatalog } from './document.js';
import type { OpenApiDocument } from './openapi-types.js';

/** A built document, serialised once. */
export interface CachedDocument {
  readonly document: OpenApiDocument;
  readonly json: string;
  /** Strong ETag of `json`. */
  readonly etag: string;
}

/**
 * Builds the document on first request and keeps it until model readiness
 * changes. The key is every model's version states, which costs a few string
 * joins per request — cheaper and more robust than listening for state
 * changes, which are not announced when versions unload.
 *
 * @example
 * ```ts
 * const cache = new DocumentCache(registry, context);
 * const { json, etag } = cache.get();
 * ```
 */
export class DocumentCache {
  private key: string | undefined;
  private cached: CachedDocument | undefined;

  constructor(private readonly registry: ModelCatalog, private readonly context: DocumentContext) {}

  /** The current document, rebuilt only when a model version changed state. */
  get(): CachedDocument {
    const key = this.readinessKey();
    if (this.cached === undefined || key !== this.key) {
      const document = buildDocument(this.registry, this.context);
      const json = JSON.stringify(document);
      this.cached = { document, json, etag: `"${createHash('sha256').update(json).digest('base64url').slice(0, 27)}"` };
      this.key = key;
    }
    return this.cached;
  }

  private readinessKey(): string {
    return this.registry.names().map((n) => `${n}:${this.registry.versions(n).map((v) => `${v.version}=${v.state}`).join(',')}`).join(';');
  }
}
