import type { Registry } from 'prom-client';
import { LabelledFamily, type Sample } from './labelled-series.js';

/** One counter series: `inc()` adds to a number. */
export class CounterSeries {
  value = 0;
  inc(by = 1): void {
    this.value += by;
  }
}

/**
 * A Prometheus counter with pre-resolved series (see LabelledFamily).
 *
 * @example
 * ```ts
 * const requests = new CounterFamily('ponte_requests_total', 'Requests.', ['model'], registry);
 * const purchase = requests.series({ model: 'purchase' });
 * purchase.inc();
 * ```
 */
export class CounterFamily<L extends string> extends LabelledFamily<L, CounterSeries> {
  readonly type = 'counter';

  protected create(): CounterSeries {
    return new CounterSeries();
  }

  protected clear(s: CounterSeries): void {
    s.value = 0;
  }

  protected samples(labels: Readonly<Record<L, string>>, s: CounterSeries, into: Sample[]): void {
    into.push({ labels: { ...labels }, value: s.value });
  }
}
