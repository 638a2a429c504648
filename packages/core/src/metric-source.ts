/** One labelled value of a metric family. */
export interface MetricSample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/**
 * A gauge family a plugin reports: the name (with its unit, without a
 * prefix: exporters add theirs, `ponte_` by default), help text and current samples.
 */
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly samples: readonly MetricSample[];
}

/**
 * Figures a plugin computes itself (a monitor's drift and performance of the
 * latest window, say) for whatever metrics exporter is loaded: the exporter
 * calls `collect` at each scrape or export. Keep label values bounded.
 *
 * @example
 * ```ts
 * const queue: MetricSource = { name: 'jobs', collect: () => [{ name: 'jobs_waiting', help: 'Jobs waiting.', samples: [{ labels: {}, value: jobs.length }] }] };
 * ```
 */
export interface MetricSource {
  readonly name: string;
  collect(): readonly MetricFamily[];
}
