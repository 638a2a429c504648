import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { PredictionSegment } from '@ponte/core';
import { segmentInserter } from './segment-insert.js';
import type { WriterOptions, WriterReply, WriterRequest } from './segment-writer.js';

// The writer thread of a SqliteStore: its own connection to the file, used for appends only, so
// that a commit's fsync waits here and not on the server's event loop.
const { file, busyTimeoutMs, synchronous } = workerData as WriterOptions;
const db = new Database(file, { timeout: busyTimeoutMs });
db.pragma(`synchronous = ${synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
db.pragma('journal_size_limit = 67108864');
const insert = segmentInserter(db);

parentPort!.on('message', (m: WriterRequest) => {
  if (m.type === 'close') {
    db.close();
    parentPort!.close();
    return;
  }
  let reply: WriterReply;
  try {
    insert(m.segments as PredictionSegment[]);
    reply = { id: m.id, ok: true };
  } catch (e) {
    const err = e as Error & { code?: unknown };
    reply = { id: m.id, ok: false, message: err.message, ...(typeof err.code === 'string' ? { code: err.code } : {}) };
  }
  parentPort!.postMessage(reply);
});
