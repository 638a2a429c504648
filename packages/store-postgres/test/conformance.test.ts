import { test } from 'node:test';
import { predictionStoreConformance } from '@ponte/testing';
import { PostgresStore } from '../src/index.js';
import { DATABASE_URL, dropSchema, freshSchema, skip } from '../test-support/postgres.js';

const schema = freshSchema();

if (skip !== false) {
  test('PredictionStore conformance: postgres', { skip }, () => undefined);
} else {
  // Every store the suite opens shares one fresh schema, as replicas of one server would.
  predictionStoreConformance('postgres', {
    open: () => PostgresStore.open({ connectionString: DATABASE_URL, schema }),
    destroy: () => dropSchema(schema),
  });
}
