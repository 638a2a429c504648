/**
 * The set-ups of round `round` in the order they run: rotated by one each
 * round, so every set-up runs first, second, … equally often. Run in a fixed
 * order, the last set-up of every round was measured slowest on the bench VM
 * whatever it was (the same three set-ups measured 24.4k, 21.2k, 18.1k req/s
 * in one order and the last one fastest in the reverse order): what a run
 * leaves behind (its request log being written back, a file deleted) costs the
 * next one. Entries keep their index in `setups`.
 *
 * @example
 * for (const [k, s] of roundOrder(setups, i)) measure(s, variants[k]);
 */
export function roundOrder<T>(setups: readonly T[], round: number): Array<[number, T]> {
  const n = setups.length;
  return Array.from({ length: n }, (_, j) => {
    const k = (j + round) % n;
    return [k, setups[k]!] as [number, T];
  });
}
