import { injectable } from 'tsyringe';
import { PonteError } from './errors.js';

export type ServerState = 'starting' | 'serving' | 'draining' | 'stopped';

/**
 * Server state and in-flight request accounting shared by every protocol, so a
 * drain waits for REST and gRPC requests alike.
 *
 * @example
 * ```ts
 * lifecycle.enter(); try { … } finally { lifecycle.leave(); }
 * ```
 */
@injectable()
export class Lifecycle {
  state: ServerState = 'starting';
  private inflight = 0;
  private waiters: Array<() => void> = [];

  get inFlight(): number {
    return this.inflight;
  }

  /** Counts a request in; throws PONTE_SHUTTING_DOWN once draining has begun. */
  enter(): void {
    if (this.state === 'draining' || this.state === 'stopped') throw new PonteError('PONTE_SHUTTING_DOWN', 'server is shutting down', { headers: { Connection: 'close' } });
    this.inflight++;
  }

  leave(): void {
    if (--this.inflight === 0) for (const w of this.waiters.splice(0)) w();
  }

  /** Stops admitting requests and waits (at most `timeoutMs`) for those in flight. Returns whether all finished. */
  async drain(timeoutMs: number): Promise<boolean> {
    this.state = 'draining';
    if (this.inflight === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([
      new Promise<boolean>((r) => this.waiters.push(() => r(true))),
      new Promise<boolean>((r) => { timer = setTimeout(() => r(false), timeoutMs); }),
    ]);
    clearTimeout(timer);
    return done;
  }
}
