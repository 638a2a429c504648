import type { FeedbackItem } from '@ponte/core';

/** What a read of `segment_feedback` selects; the time leaves the database as epoch ms (float8 holds any exactly). */
export const LABEL_READ = 'prediction_id, label, value, (extract(epoch FROM time) * 1000)::float8 AS time_ms';

/** One row of `LABEL_READ`, as pg parses it (jsonb → value). */
export interface LabelRow {
  prediction_id: string;
  label: string | number | boolean | null;
  value: number | null;
  time_ms: number;
}

/** A stored label back as the item that was sent: `label` and `value` absent when they were. */
export function labelFromRow(row: LabelRow): FeedbackItem {
  return {
    id: row.prediction_id,
    ...(row.label !== null ? { label: row.label } : {}),
    ...(row.value !== null ? { value: row.value } : {}),
    time: row.time_ms,
  };
}
