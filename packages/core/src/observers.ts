import type { PipelineObserver } from './extension-points.js';

type Hook = Exclude<keyof PipelineObserver, 'name'>;
type HookArgs<K extends Hook> = Parameters<NonNullable<PipelineObserver[K]>>;

let reportFailure: (observer: string, hook: string, error: unknown) => void = () => undefined;

/** Where observer failures go (the server sets this to its logger). */
export function onObserverFailure(fn: (observer: string, hook: string, error: unknown) => void): void {
  reportFailure = fn;
}

/**
 * Calls `hook` on every observer that has it. An observer that throws is
 * reported and skipped: telemetry never breaks an answer.
 */
export function notifyObservers<K extends Hook>(observers: readonly PipelineObserver[], hook: K, ...args: HookArgs<K>): void {
  for (let i = 0; i < observers.length; i++) {
    const o = observers[i]!;
    const fn = o[hook] as ((...a: HookArgs<K>) => void) | undefined;
    if (fn === undefined) continue;
    try {
      fn.apply(o, args);
    } catch (e) {
      try {
        reportFailure(o.name, hook, e);
      } catch {
        // nothing left to report to
      }
    }
  }
}
