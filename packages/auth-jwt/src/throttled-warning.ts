import type { Logger } from '@ponte/core';

/** A warning logged at most once per interval, so a down provider does not flood the log at the request rate. */
export class ThrottledWarning {
  private lastAt = Number.NEGATIVE_INFINITY;
  private suppressed = 0;

  constructor(private readonly logger: Logger, private readonly intervalMs = 60_000) {}

  warn(fields: Record<string, unknown>, message: string): void {
    const now = Date.now();
    if (now - this.lastAt < this.intervalMs) {
      this.suppressed++;
      return;
    }
    this.logger.warn({ ...fields, ...(this.suppressed > 0 ? { suppressed: this.suppressed } : {}) }, message);
    this.lastAt = now;
    this.suppressed = 0;
  }
}
