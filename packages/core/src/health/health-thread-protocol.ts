import type { HealthReport } from './health-report.js';

/** What the health thread starts with. */
export interface HealthThreadInit {
  host: string;
  port: number;
  stallMs: number;
  /** One BigInt64 slot: Date.now() of the main thread's last beat, written with Atomics. */
  beat: SharedArrayBuffer;
  pid: number;
}

export type ToHealthThread = { type: 'report'; report: HealthReport } | { type: 'close' };
export type FromHealthThread = { type: 'listening'; port: number } | { type: 'error'; message: string } | { type: 'closed' };
