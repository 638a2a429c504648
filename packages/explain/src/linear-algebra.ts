/** Dense solvers for the small systems of Kernel SHAP and LIME (at most a few hundred unknowns). */

/**
 * Solves `A x = b` for each column of `B` (`n × n` A, `n × k` B, both
 * row-major) by Gaussian elimination with partial pivoting. A singular pivot
 * (a feature no coalition separates) gets a tiny ridge so the answer stays
 * finite; the caller's constraint still fixes the sum.
 */
export function solve(a: Float64Array, b: Float64Array, n: number, k: number): Float64Array {
  const A = Float64Array.from(a);
  const B = Float64Array.from(b);
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(A[i * n + i]!));
  const tiny = (scale || 1) * 1e-13;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r * n + c]!) > Math.abs(A[p * n + c]!)) p = r;
    if (p !== c) {
      for (let j = 0; j < n; j++) swap(A, c * n + j, p * n + j);
      for (let j = 0; j < k; j++) swap(B, c * k + j, p * k + j);
    }
    if (Math.abs(A[c * n + c]!) < tiny) A[c * n + c] = tiny;
    const pivot = A[c * n + c]!;
    for (let r = c + 1; r < n; r++) {
      const f = A[r * n + c]! / pivot;
      if (f === 0) continue;
      for (let j = c; j < n; j++) A[r * n + j]! -= f * A[c * n + j]!;
      for (let j = 0; j < k; j++) B[r * k + j]! -= f * B[c * k + j]!;
    }
  }
  const x = new Float64Array(n * k);
  for (let r = n - 1; r >= 0; r--) {
    for (let j = 0; j < k; j++) {
      let s = B[r * k + j]!;
      for (let c = r + 1; c < n; c++) s -= A[r * n + c]! * x[c * k + j]!;
      x[r * k + j] = s / A[r * n + r]!;
    }
  }
  return x;
}

function swap(v: Float64Array, i: number, j: number): void {
  const t = v[i]!;
  v[i] = v[j]!;
  v[j] = t;
}

/**
 * Weighted least squares: minimises `Σ_s w_s (y_s − X_s·β)²` for each of `k`
 * targets (`X` is `rows × p`, `Y` is `rows × k`, row-major), adding
 * `ridge · ‖β‖²`. Returns `β` as `p × k`.
 */
export function weightedLeastSquares(X: Float64Array, Y: Float64Array, w: ArrayLike<number>, rows: number, p: number, k: number, ridge = 0): Float64Array {
  const XtWX = new Float64Array(p * p);
  const XtWY = new Float64Array(p * k);
  for (let s = 0; s < rows; s++) {
    const ws = w[s]!;
    if (ws === 0) continue;
    const xo = s * p;
    for (let i = 0; i < p; i++) {
      const xi = X[xo + i]! * ws;
      if (xi === 0) continue;
      for (let j = i; j < p; j++) XtWX[i * p + j]! += xi * X[xo + j]!;
      for (let j = 0; j < k; j++) XtWY[i * k + j]! += xi * Y[s * k + j]!;
    }
  }
  for (let i = 0; i < p; i++) {
    XtWX[i * p + i]! += ridge;
    for (let j = 0; j < i; j++) XtWX[i * p + j] = XtWX[j * p + i]!;
  }
  return solve(XtWX, XtWY, p, k);
}
