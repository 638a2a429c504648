import type { Database } from 'better-sqlite3';
import type { PredictionSegment } from '@ponte/core';

/**
 * Appends segments to `prediction_segments` in one IMMEDIATE transaction
 * (the write lock taken at BEGIN, where the busy timeout applies). A
 * segment already stored with the same model version, id range and count is
 * the same batch appended again (a retry): it is skipped.
 *
 * @example
 * ```ts
 * const insert = segmentInserter(db);
 * insert(toSegments(records));
 * ```
 */
export function segmentInserter(db: Database): (segments: readonly PredictionSegment[]) => void {
  const insert = db.prepare(`INSERT INTO prediction_segments (model, version, min_time, max_time, min_id, max_id, count, body)
    SELECT @model, @version, @minTime, @maxTime, @minId, @maxId, @count, @bytes
    WHERE NOT EXISTS (SELECT 1 FROM prediction_segments WHERE model = @model AND max_id = @maxId AND min_id = @minId AND version = @version AND count = @count)`);
  const append = db.transaction((segments: readonly PredictionSegment[]) => {
    for (const s of segments) insert.run(s);
  });
  return (segments) => append.immediate(segments);
}
