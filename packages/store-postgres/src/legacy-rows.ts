import type { StoredPrediction, StoredTensor } from '@ponte/core';

/**
 * What migration 4 reads from `predictions` (one row per prediction, as
 * schema versions 1–3 kept them; `p` the table, `f` its LEFT JOINed
 * `feedback`). Times leave the database as epoch milliseconds: `extract` is
 * exact (numeric) since PostgreSQL 14, and float8 holds any millisecond time exactly.
 */
export const LEGACY_COLUMNS = `p.id, (extract(epoch FROM p.time) * 1000)::float8 AS time_ms, p.model, p.version, p.request_id, p.trace_id,
  p.principal, p.protocol, p.endpoint, p.features, p.inputs, p.outputs, p.latency_ms, f.prediction_id IS NOT NULL AS labelled`;

/** One row of `LEGACY_COLUMNS`, as pg parses it (jsonb → values, float8 → number, uuid → string). */
export interface LegacyRow {
  id: string;
  time_ms: number;
  model: string;
  version: string;
  request_id: string;
  trace_id: string | null;
  principal: string;
  protocol: string;
  endpoint: string;
  features: Array<Record<string, unknown>> | null;
  inputs: StoredTensor[] | null;
  outputs: StoredTensor[];
  latency_ms: number;
  /** Whether `feedback` holds a label for it (the migration copies labels by SQL, exactly). */
  labelled: boolean;
}

/** A row back as the record that was appended: optional fields that were absent stay absent (not `undefined`, not `null`). */
export function legacyPrediction(row: LegacyRow): StoredPrediction {
  return {
    id: row.id,
    time: row.time_ms,
    model: row.model,
    version: row.version,
    requestId: row.request_id,
    ...(row.trace_id !== null ? { traceId: row.trace_id } : {}),
    principal: row.principal,
    protocol: row.protocol,
    endpoint: row.endpoint,
    ...(row.features !== null ? { features: row.features } : {}),
    ...(row.inputs !== null ? { inputs: row.inputs } : {}),
    outputs: row.outputs,
    latencyMs: row.latency_ms,
  };
}
