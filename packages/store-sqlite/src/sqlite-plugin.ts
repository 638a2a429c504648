import { resolve } from 'node:path';
import { definePlugin, Tokens } from '@ponte/core';
import { sqliteOptionsSchema, type SqlitePluginOptions } from './options.js';
import { SqliteStore } from './sqlite-store.js';
import { StoreHandle } from './store-handle.js';

/**
 * The prediction log in an embedded SQLite file: provides
 * `Tokens.PredictionStore`. `start()` opens the file (creating it and its
 * folder), migrates its schema and starts pruning by `retention` — once at
 * start, then every `pruneIntervalSeconds`; a failed prune is logged, never
 * thrown. `stop()` stops pruning and closes the file.
 *
 * @example
 * ```yaml
 * plugins:
 *   - package: '@ponte/store-sqlite'
 *     options: { file: data/ponte.db, retention: { maxAgeDays: 30 } }
 * ```
 */
export const sqliteStorePlugin = definePlugin<SqlitePluginOptions>({
  name: '@ponte/store-sqlite',
  kind: 'store',
  core: '^0.1.0',
  description: 'Prediction log in an embedded SQLite file (better-sqlite3, WAL)',
  configSchema: sqliteOptionsSchema,
  register(ctx) {
    const { busyTimeoutMs, synchronous, retention, pruneIntervalSeconds } = ctx.options;
    const file = resolve(ctx.baseDir, ctx.options.file);
    const handle = new StoreHandle();
    ctx.provide(Tokens.PredictionStore, handle);
    let store: SqliteStore | undefined;
    let timer: NodeJS.Timeout | undefined;
    let pruning: Promise<void> | undefined;

    const pruneOnce = (): void => {
      const s = store;
      // One prune at a time: a slow one (a large backlog) is not joined by the next tick's.
      if (s === undefined || pruning !== undefined) return;
      pruning = s.prune(retention).then(
        (deleted) => { if (deleted > 0) ctx.logger.info({ deleted, retention }, 'pruned the prediction log'); },
        (err: unknown) => { ctx.logger.warn({ err, file }, 'pruning the prediction log failed; retrying at the next interval'); },
      ).finally(() => { pruning = undefined; });
    };

    return {
      async start() {
        store = await SqliteStore.open(file, { busyTimeoutMs, synchronous });
        handle.attach(store);
        ctx.logger.info({ file, retention }, 'prediction log in SQLite');
        if (retention.maxAgeDays !== undefined || retention.maxRows !== undefined) {
          // Unref'd: pruning never keeps a process alive that has nothing else to do.
          timer = setInterval(pruneOnce, pruneIntervalSeconds * 1000).unref();
          pruneOnce();
        }
      },
      async stop() {
        clearInterval(timer);
        timer = undefined;
        handle.detach();
        const s = store;
        store = undefined;
        // Closing first makes a running prune stop after its current batch; then wait for it to settle.
        await s?.close();
        await pruning;
      },
    };
  },
});
