import type { FeedbackItem, StoredPrediction } from '@ponte/core';

/** A row of `predictions`, with its label's columns when a query joins `feedback`. */
export interface PredictionRow {
  id: string;
  time: number;
  model: string;
  version: string;
  request_id: string;
  trace_id: string | null;
  principal: string;
  protocol: string;
  endpoint: string;
  features: string | null;
  inputs: string | null;
  outputs: string;
  latency_ms: number;
  fb_id?: string | null;
  fb_label?: string | null;
  fb_value?: number | null;
  fb_time?: number | null;
}

/** The columns of `predictions` in insert order (the prepared INSERT binds them positionally). */
export const PREDICTION_COLUMNS = ['id', 'time', 'model', 'version', 'request_id', 'trace_id', 'principal', 'protocol', 'endpoint', 'features', 'inputs', 'outputs', 'latency_ms'] as const;

/** What a read selects: a prediction and, when there is one, its label. */
export const SELECT_WITH_FEEDBACK = `
  SELECT p.*, f.prediction_id AS fb_id, f.label AS fb_label, f.value AS fb_value, f.time AS fb_time
  FROM predictions p LEFT JOIN feedback f ON f.prediction_id = p.id`;

/** A record as the INSERT's positional parameters; tensors and features as JSON text. */
export function toRow(r: StoredPrediction): unknown[] {
  return [
    r.id, r.time, r.model, r.version, r.requestId, r.traceId ?? null, r.principal, r.protocol, r.endpoint,
    r.features === undefined ? null : JSON.stringify(r.features),
    r.inputs === undefined ? null : JSON.stringify(r.inputs),
    JSON.stringify(r.outputs), r.latencyMs,
  ];
}

/**
 * A row back as the record that was appended: optional fields absent (not
 * `undefined`) when they were absent, so a read deep-equals the write.
 */
export function fromRow(row: PredictionRow): StoredPrediction & { feedback?: FeedbackItem } {
  const out: StoredPrediction & { feedback?: FeedbackItem } = {
    id: row.id,
    time: row.time,
    model: row.model,
    version: row.version,
    requestId: row.request_id,
    ...(row.trace_id !== null ? { traceId: row.trace_id } : {}),
    principal: row.principal,
    protocol: row.protocol,
    endpoint: row.endpoint,
    ...(row.features !== null ? { features: JSON.parse(row.features) as StoredPrediction['features'] } : {}),
    ...(row.inputs !== null ? { inputs: JSON.parse(row.inputs) as StoredPrediction['inputs'] } : {}),
    outputs: JSON.parse(row.outputs) as StoredPrediction['outputs'],
    latencyMs: row.latency_ms,
  };
  if (row.fb_id !== undefined && row.fb_id !== null) {
    out.feedback = {
      id: row.fb_id,
      ...(row.fb_label !== null && row.fb_label !== undefined ? { label: JSON.parse(row.fb_label) as FeedbackItem['label'] } : {}),
      ...(row.fb_value !== null && row.fb_value !== undefined ? { value: row.fb_value } : {}),
      time: row.fb_time!,
    };
  }
  return out;
}
