import { postgresStore } from './postgres-plugin.js';

export { postgresStore } from './postgres-plugin.js';
export { PostgresStore, type PostgresStoreOpenOptions } from './postgres-store.js';
export { migrate, MIGRATIONS, LATEST_VERSION, type Migration, type MigrationResult } from './migrations.js';
export { postgresStoreOptionsSchema, type PostgresStoreOptions } from './options.js';

export default postgresStore;
