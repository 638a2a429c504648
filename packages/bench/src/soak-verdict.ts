/** The soak's memory figures, from RSS samples taken while the load ran. */
export interface SoakMemory {
  /** Mean RSS over the second minute of load (60 s ≤ t < 120 s): memory once warm. */
  warmMb: number;
  /** Mean RSS over the last minute of load. */
  lastMinuteMb: number;
  /** lastMinuteMb / warmMb. */
  ratio: number;
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/**
 * RSS after the first minute against RSS at the end, each as a one-minute
 * mean. Under steady load RSS follows the garbage collector's sawtooth (tens
 * of MB between major collections), so two single samples differ by wherever
 * each fell on a tooth; means over a minute compare like with like, and a
 * leak still shows as a higher last minute. Returns undefined when the load
 * was too short to have both windows.
 *
 * @example soakMemory([[60, 170], [70, 180], …, [600, 175]], 10)
 */
export function soakMemory(samples: ReadonlyArray<readonly [number, number]>, minutes: number): SoakMemory | undefined {
  const endS = minutes * 60;
  const warm = samples.filter(([t]) => t >= 60 && t < 120).map(([, mb]) => mb);
  const last = samples.filter(([t]) => t >= Math.max(120, endS - 60)).map(([, mb]) => mb);
  if (warm.length === 0 || last.length === 0) return undefined;
  const warmMb = mean(warm);
  const lastMinuteMb = mean(last);
  return { warmMb, lastMinuteMb, ratio: lastMinuteMb / warmMb };
}
