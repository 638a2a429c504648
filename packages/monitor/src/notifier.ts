import type { AlertKind, AlertSeverity } from './monitoring-config.js';

/** An alert changing state: what notifiers send and the alert history keeps. */
export interface AlertEvent {
  readonly status: 'firing' | 'resolved';
  readonly alert: string;
  readonly model: string;
  readonly version: string;
  readonly severity: AlertSeverity;
  readonly when: AlertKind;
  /** What decided it, in words: `income: drifted (p_adjusted 1.2e-9)`. */
  readonly detail: string;
  readonly value?: number;
  /** The window whose close changed the state. */
  readonly window: { readonly seq: number; readonly start: string; readonly end: string };
  /** ISO 8601: when the alert started firing, and (resolved) when it stopped. */
  readonly startsAt: string;
  readonly endsAt?: string;
}

/**
 * Where alert events go. A notifier must not throw for a delivery that fails
 * (it retries or gives up and logs); the monitor never waits on one longer
 * than its own timeout.
 *
 * @example
 * ```ts
 * const stdout: Notifier = { name: 'stdout', async notify(e) { console.log(e.status, e.alert); } };
 * ```
 */
export interface Notifier {
  readonly name: string;
  notify(event: AlertEvent): Promise<void>;
}
