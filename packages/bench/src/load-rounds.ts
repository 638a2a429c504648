import type { LoadRow } from './results.js';
import { medianRun } from './wrk.js';

/**
 * One row from the rounds of an interleaved measurement (each round a fresh
 * server with its golden check, warm-up and one measured run): every run
 * kept, the median run by req/s as the row's figure, the largest RSS seen.
 * A round that did not measure (skipped, failed, todo) makes the row that
 * status, with its note: a contender that fails once is not half-measured.
 */
export function mergeRounds(rounds: readonly LoadRow[]): LoadRow {
  if (rounds.length === 0) throw new Error('mergeRounds: no rounds');
  const first = rounds[0]!;
  const bad = rounds.find((r) => r.status !== 'ok');
  if (bad !== undefined) return rounds.length === 1 ? bad : { ...bad, note: `round ${rounds.indexOf(bad) + 1} of ${rounds.length}: ${bad.note ?? bad.status}` };
  const runs = rounds.flatMap((r) => r.runs ?? (r.stats ? [r.stats] : []));
  const notes = rounds.map((r, i) => (r.note ? `round ${i + 1}: ${r.note}` : '')).filter(Boolean);
  const peaks = rounds.map((r) => r.peakRssMb).filter((x): x is number => x !== undefined);
  return {
    ...first,
    stats: medianRun(runs),
    runs,
    ...(peaks.length > 0 ? { peakRssMb: Math.max(...peaks) } : {}),
    ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
  };
}
