/** A small seeded PRNG (mulberry32) so every bootstrap and simulation is reproducible. */
export type Random = () => number;

/** A uniform [0, 1) generator from a 32-bit seed. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box–Muller) from `random`. */
export function normal(random: Random): number {
  let u = random();
  while (u <= Number.MIN_VALUE) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Multinomial resampling weights: how often each of `n` items is drawn in one bootstrap replicate. */
export function bootstrapWeights(n: number, random: Random, out?: Float64Array): Float64Array {
  const w = out ?? new Float64Array(n);
  w.fill(0);
  for (let i = 0; i < n; i++) w[Math.floor(random() * n)]! += 1;
  return w;
}
