import type { FeedbackItem, StoredPrediction } from '@ponte/core';

/** A row of `predictions` as schema versions 1–4 kept them (one row per prediction), with its label's columns; migration 5 reads them once. */
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

/** What migration 5 selects: a prediction and, when there is one, its label. */
export const SELECT_WITH_FEEDBACK = `
  SELECT p.*, f.prediction_id AS fb_id, f.label AS fb_label, f.value AS fb_value, f.time AS fb_time
  FROM predictions p LEFT JOIN feedback f ON f.prediction_id = p.id`;

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
