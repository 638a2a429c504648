/**
 * A token bucket over `performance.now()` milliseconds: at most `perSecond`
 * takes a second on average, with bursts of up to one second's worth. Bounds
 * how many new traces a process starts, so tracing's cost stays fixed however
 * much traffic arrives (each recorded trace costs tens to hundreds of µs of
 * CPU; see docs/observability.md, Cost).
 *
 * @example
 * ```ts
 * const limiter = new TraceRateLimiter(20);
 * if (limiter.take(performance.now())) startTrace();
 * ```
 */
export class TraceRateLimiter {
  private readonly burst: number;
  private tokens: number;
  private last = -Infinity;

  constructor(private readonly perSecond: number) {
    this.burst = Math.max(1, perSecond);
    this.tokens = this.burst;
  }

  /** Takes one token at `nowMs`; false when the bucket is empty. */
  take(nowMs: number): boolean {
    // Request start times may arrive slightly out of order; time never runs backwards here.
    if (nowMs > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.last) * this.perSecond) / 1000);
      this.last = nowMs;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
