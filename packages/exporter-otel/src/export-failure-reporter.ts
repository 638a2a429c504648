import type { Logger } from '@ponte/core';

/**
 * Logs failing exports without flooding the log: the first failure of a
 * signal is logged at once, later ones at most once per interval with the
 * number suppressed meanwhile, and a recovery is logged once. A collector that
 * is down for an hour costs a line a minute, not a line per batch.
 *
 * @example
 * ```ts
 * const reporter = new ExportFailureReporter(logger, 60_000);
 * reporter.failure('traces', err);
 * ```
 */
export class ExportFailureReporter {
  private readonly state = new Map<string, { lastLoggedAt: number; suppressed: number; failing: boolean }>();

  constructor(
    private readonly logger: Pick<Logger, 'warn' | 'info'>,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  failure(signal: string, error: unknown): void {
    try {
      const t = this.now();
      const s = this.state.get(signal) ?? { lastLoggedAt: -Infinity, suppressed: 0, failing: false };
      this.state.set(signal, s);
      s.failing = true;
      if (t - s.lastLoggedAt < this.intervalMs) {
        s.suppressed++;
        return;
      }
      const message = error instanceof Error ? error.message : String(error ?? 'unknown error');
      this.logger.warn({ signal, error: message, suppressed: s.suppressed }, `OpenTelemetry ${signal} export failed; telemetry is being dropped, requests are unaffected`);
      s.lastLoggedAt = t;
      s.suppressed = 0;
    } catch {
      // reporting must never fail an export callback
    }
  }

  success(signal: string): void {
    const s = this.state.get(signal);
    if (s?.failing !== true) return;
    s.failing = false;
    s.suppressed = 0;
    s.lastLoggedAt = -Infinity;
    try {
      this.logger.info({ signal }, `OpenTelemetry ${signal} export recovered`);
    } catch {
      // as above
    }
  }
}
