import type { JsonValue, StoredDocument } from '@ponte/core';

/** A stored row back as the document that was put. */
export function documentFromRow(row: { kind: string; key: string; body: string; time: number }): StoredDocument {
  return { kind: row.kind, key: row.key, body: JSON.parse(row.body) as JsonValue, time: row.time };
}
