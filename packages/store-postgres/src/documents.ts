import type { JsonValue, StoredDocument } from '@ponte/core';

/** A row of `documents` as pg parses it (jsonb → value, the time as float8 epoch ms). */
export interface DocumentRow {
  kind: string;
  key: string;
  body: JsonValue;
  time_ms: number;
}

/** A stored row back as the document that was put (jsonb: NUL and lone surrogates in its strings came back as U+FFFD). */
export function documentFromRow(row: DocumentRow): StoredDocument {
  return { kind: row.kind, key: row.key, body: row.body, time: row.time_ms };
}
