import { definePlugin, Tokens, type PredictionStore } from '@ponte/core';
import { postgresStoreOptionsSchema, type PostgresStoreOptions } from './options.js';
import { PostgresStore } from './postgres-store.js';
import { describeError, redactConnectionString, secretScrubber } from './redact.js';

/**
 * The prediction log in PostgreSQL. `register` provides the store at once
 * (the prediction log and feedback routes are wired to it); it connects,
 * creates or migrates its schema in `start` — a database that cannot be
 * reached fails the start with a message that names the target without its
 * password — and prunes by `retention` every `pruneIntervalSeconds` in the
 * background, failures logged, never thrown.
 *
 * @example
 * ```yaml
 * plugins:
 *   - package: '@ponte/store-postgres'
 *     options: { connectionString: '${env:DATABASE_URL}', retention: { maxAgeDays: 30 } }
 * ```
 */
export const postgresStore = definePlugin<PostgresStoreOptions>({
  name: '@ponte/store-postgres',
  kind: 'store',
  core: '^0.1.0',
  description: 'Prediction log in PostgreSQL (pg pool, batched idempotent inserts, keyset pages, retention)',
  configSchema: postgresStoreOptionsSchema,
  register(ctx) {
    const { connectionString, schema, maxConnections, retention, pruneIntervalSeconds } = ctx.options;
    const scrub = secretScrubber(connectionString);
    let store: PostgresStore | undefined;
    let timer: NodeJS.Timeout | undefined;
    let pruning = false;

    const started = (): PostgresStore => {
      if (store === undefined) throw new Error(`${ctx.name}: the prediction store is not started (it connects in the plugin's start(), and is closed after stop())`);
      return store;
    };
    // What the container holds: calls go to the store while the plugin runs, and reject before start and after stop.
    const facade: PredictionStore = {
      name: 'postgres',
      append: async (records) => started().append(records),
      appendSegments: async (segments) => started().appendSegments(segments),
      appendFeedback: async (model, items) => started().appendFeedback(model, items),
      get: async (model, id) => started().get(model, id),
      query: async (query) => started().query(query),
      readSegments: async (query) => started().readSegments(query),
      prune: async (policy) => started().prune(policy),
      putDocuments: async (docs) => started().putDocuments(docs),
      getDocument: async (kind, key) => started().getDocument(kind, key),
      listDocuments: async (query) => started().listDocuments(query),
      acquireLease: async (name, owner, ttlMs) => started().acquireLease(name, owner, ttlMs),
      releaseLease: async (name, owner) => started().releaseLease(name, owner),
    };
    ctx.provide(Tokens.PredictionStore, facade);

    const prune = (): void => {
      const s = store;
      if (s === undefined || pruning) return;
      pruning = true;
      s.prune(retention).then(
        (deleted) => {
          if (deleted > 0) ctx.logger.info({ schema, deleted }, 'pruned the prediction log');
        },
        (e: unknown) => ctx.logger.warn({ schema, err: scrub.error(e) }, 'pruning the prediction log failed; trying again at the next interval'),
      ).finally(() => {
        pruning = false;
      });
    };

    return {
      async start() {
        try {
          store = await PostgresStore.open({
            connectionString,
            schema,
            maxConnections,
            onConnectionError: (e) => ctx.logger.warn({ schema, err: scrub.error(e) }, 'an idle PostgreSQL connection failed; the pool opens a new one when needed'),
          });
        } catch (e) {
          throw new Error(`cannot open the prediction log in PostgreSQL at ${redactConnectionString(connectionString)} (schema "${schema}"): ${scrub.text(describeError(e))}`, { cause: scrub.error(e) });
        }
        const m = store.migration;
        ctx.logger.info({ schema, version: m.to, ...(m.applied.length > 0 ? { migrated: m.applied } : {}), maxConnections }, 'prediction log in PostgreSQL ready');
        if (retention.maxAgeDays !== undefined || retention.maxRows !== undefined) {
          // unref'd: a retention timer alone never keeps the process alive.
          timer = setInterval(prune, pruneIntervalSeconds * 1000).unref();
          prune();
        }
      },
      async stop() {
        clearInterval(timer);
        timer = undefined;
        const s = store;
        store = undefined;
        // close() lets a running prune finish its current delete, then ends the pool.
        await s?.close();
      },
    };
  },
});
