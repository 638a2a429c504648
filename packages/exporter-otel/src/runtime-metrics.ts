import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';
import type { Meter } from '@opentelemetry/api';

/**
 * Process and Node.js runtime metrics with OpenTelemetry semantic-convention
 * names: CPU time, resident memory, V8 heap, event-loop delay and GC pauses.
 * Returns a function that stops the event-loop monitor and the GC observer.
 *
 * @example
 * ```ts
 * const stop = startRuntimeMetrics(meter);
 * // …
 * stop();
 * ```
 */
export function startRuntimeMetrics(meter: Meter): () => void {
  meter.createObservableCounter('process.cpu.time', { description: 'CPU time used by the process.', unit: 's' }).addCallback((r) => {
    const u = process.cpuUsage();
    r.observe(u.user / 1e6, { 'cpu.mode': 'user' });
    r.observe(u.system / 1e6, { 'cpu.mode': 'system' });
  });
  meter.createObservableUpDownCounter('process.memory.usage', { description: 'Resident set size of the process.', unit: 'By' }).addCallback((r) => r.observe(process.memoryUsage.rss()));
  meter.createObservableUpDownCounter('v8js.memory.heap.used', { description: 'V8 heap in use.', unit: 'By' }).addCallback((r) => r.observe(process.memoryUsage().heapUsed));

  const loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });
  loop.enable();
  const p99 = meter.createObservableGauge('nodejs.eventloop.delay.p99', { description: 'Event-loop delay, 99th percentile over the export interval.', unit: 's' });
  const max = meter.createObservableGauge('nodejs.eventloop.delay.max', { description: 'Largest event-loop delay over the export interval.', unit: 's' });
  // Read both from the same window, then reset, so each export describes its own interval.
  meter.addBatchObservableCallback((r) => {
    if (loop.count > 0) {
      r.observe(p99, loop.percentile(99) / 1e9);
      r.observe(max, loop.max / 1e9);
    }
    loop.reset();
  }, [p99, max]);

  const gc = meter.createHistogram('v8js.gc.duration', { description: 'Garbage-collection pauses.', unit: 's', advice: { explicitBucketBoundaries: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1] } });
  const kinds: Record<number, string> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' };
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as { detail?: { kind?: number } }).detail?.kind;
      gc.record(e.duration / 1000, { 'v8js.gc.type': kind !== undefined ? kinds[kind] ?? 'other' : 'other' });
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => {
    observer.disconnect();
    loop.disable();
  };
}
