import type { PredictionSegment } from '@ponte/core';
import { textValue } from './sql-text.js';

/** The columns a segment is written to, in the order `segmentValues` gives their parameters. */
export const SEGMENT_COLUMNS = 'model, version, min_time, max_time, min_id, max_id, count, body';

/**
 * What reads select of a segment. bigint comes out of pg as a string; as
 * float8 it is a number, exact for any seq and millisecond time. A query
 * selecting these orders by the table's columns (`p.min_time`): a bare name
 * would be the float8 copy, which no index holds in order.
 */
export const SEGMENT_READ = 'seq::float8 AS seq, min_time::float8 AS min_time, max_time::float8 AS max_time, count, body';

/** One row of `SEGMENT_READ`: `body` is a Buffer, which is the Uint8Array `decodeSegment` takes. */
export interface SegmentRow {
  seq: number;
  min_time: number;
  max_time: number;
  count: number;
  body: Uint8Array;
}

/**
 * A time as a `bigint` parameter: whole milliseconds, rounded by `round` (a
 * lower bound down, an upper bound up, so the range still covers a record
 * with a fraction of a millisecond) and clamped where a double is still exact.
 */
export function wholeMs(ms: number, round: (x: number) => number): number {
  return Math.max(Number.MIN_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, round(ms)));
}

/** A segment's column values, in `SEGMENT_COLUMNS` order; the body as a Buffer, which pg sends as binary rather than hex text. */
export function segmentParams(seg: PredictionSegment): unknown[] {
  return [
    textValue(seg.model), textValue(seg.version), wholeMs(seg.minTime, Math.floor), wholeMs(seg.maxTime, Math.ceil),
    seg.minId, seg.maxId, seg.count, Buffer.from(seg.bytes.buffer, seg.bytes.byteOffset, seg.bytes.byteLength),
  ];
}

/**
 * `VALUES` rows and their parameters for these segments: one statement
 * whatever their number (a batch is usually one segment). Every parameter is
 * cast, so a list of several rows needs no type inference.
 */
export function segmentValues(segments: readonly PredictionSegment[]): { values: string; params: unknown[] } {
  const params: unknown[] = [];
  const rows = segments.map((seg) => {
    const at = params.push(...segmentParams(seg)) - 8;
    return `($${at + 1}::text, $${at + 2}::text, $${at + 3}::bigint, $${at + 4}::bigint, $${at + 5}::uuid, $${at + 6}::uuid, $${at + 7}::integer, $${at + 8}::bytea)`;
  });
  return { values: rows.join(', '), params };
}
