import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { predictionStoreConformance } from '@ponte/testing';
import { SqliteStore } from '../src/index.js';

// A real file, opened once per store the suite asks for: two opens are two connections, as two processes would have.
const dir = mkdtempSync(join(tmpdir(), 'ponte-sqlite-conformance-'));
const file = join(dir, 'ponte.db');

predictionStoreConformance('sqlite', {
  open: () => SqliteStore.open(file),
  destroy: async () => rmSync(dir, { recursive: true, force: true }),
});
