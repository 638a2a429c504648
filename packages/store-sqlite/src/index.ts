import { sqliteStorePlugin } from './sqlite-plugin.js';

export { sqliteStorePlugin } from './sqlite-plugin.js';
export { SqliteStore, MAX_PAGE, PRUNE_BATCH, type SqliteStoreOptions } from './sqlite-store.js';
export { StoreHandle } from './store-handle.js';
export { sqliteOptionsSchema, type SqlitePluginOptions } from './options.js';
export { migrate, schemaVersion, MIGRATIONS, LATEST_SCHEMA_VERSION, type Migration, type MigrationResult } from './migrations.js';

export default sqliteStorePlugin;
