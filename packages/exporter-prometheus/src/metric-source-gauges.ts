import type { MetricFamily, MetricSource } from '@ponte/core';
import { Gauge, type Registry } from 'prom-client';

/**
 * Other plugins' figures (`Tokens.MetricSource`: a monitor's drift and
 * performance, say) as prom-client metrics of this exporter's registry (with
 * its prefix), made
 * when a family first appears and refreshed at every scrape. A family's label
 * names are fixed by its first samples; a sample with other labels is skipped.
 * Gauges aggregate across cluster workers as `first`: every worker reports
 * the same figures read from the shared store.
 */
export class MetricSourceGauges {
  private readonly families = new Map<string, { gauge: Gauge; labels: readonly string[] }>();

  constructor(
    private readonly registry: Registry,
    private readonly prefix: string,
    private readonly sources: () => readonly MetricSource[],
    private readonly onError: (err: unknown, source: string) => void,
  ) {
    const self = this;
    // prom-client calls collect() at every collection, including a cluster primary's request to this worker.
    new Gauge({ name: `${prefix}metric_sources`, help: 'Plugins reporting figures of their own through this exporter.', registers: [registry], aggregator: 'first', collect() { this.set(self.sync()); } });
  }

  /** Reads every source and sets its families; returns how many sources answered. */
  sync(): number {
    let answered = 0;
    for (const source of this.sources()) {
      let families: readonly MetricFamily[];
      try {
        families = source.collect();
      } catch (err) {
        this.onError(err, source.name);
        continue;
      }
      answered++;
      for (const f of families) this.set(f);
    }
    return answered;
  }

  private set(f: MetricFamily): void {
    const name = `${this.prefix}${f.name}`;
    let entry = this.families.get(name);
    if (entry === undefined) {
      // No samples yet say nothing of the label names: wait for the first ones (else they are all skipped, for good).
      if (f.samples.length === 0) return;
      const labels = [...new Set(f.samples.flatMap((s) => Object.keys(s.labels)))].sort();
      const gauge = new Gauge({ name, help: f.help, labelNames: labels, registers: [this.registry], aggregator: 'first' });
      entry = { gauge, labels };
      this.families.set(name, entry);
    }
    entry.gauge.reset();
    for (const s of f.samples) {
      if (Object.keys(s.labels).some((k) => !entry.labels.includes(k))) continue;
      if (Number.isFinite(s.value)) entry.gauge.set(s.labels, s.value);
    }
  }
}
