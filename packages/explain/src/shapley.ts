/**
 * Exact Shapley values from the values of every coalition: `values[s·k + j]`
 * is output `j` of coalition `s` (bit i set = feature i present), for all
 * 2^m coalitions. φ_i = Σ_{S ∌ i} |S|!(m−|S|−1)!/m! · (v(S ∪ i) − v(S)).
 */
export function shapleyFromCoalitionValues(values: Float64Array, m: number, k: number): Float64Array[] {
  const weight = new Float64Array(m);
  const lf = [0];
  for (let i = 1; i <= m; i++) lf.push(lf[i - 1]! + Math.log(i));
  for (let s = 0; s < m; s++) weight[s] = Math.exp(lf[s]! + lf[m - s - 1]! - lf[m]!);
  const phi = Array.from({ length: k }, () => new Float64Array(m));
  const coalitions = 1 << m;
  for (let s = 0; s < coalitions; s++) {
    const size = popcount(s);
    for (let i = 0; i < m; i++) {
      if ((s >> i) & 1) continue;
      const w = weight[size]!;
      const withI = s | (1 << i);
      for (let j = 0; j < k; j++) phi[j]![i]! += w * (values[withI * k + j]! - values[s * k + j]!);
    }
  }
  return phi;
}

export function popcount(v: number): number {
  let c = 0;
  for (let x = v; x; x &= x - 1) c++;
  return c;
}
