import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AggregatorRegistry, Counter, Histogram, Registry } from 'prom-client';
import { CounterFamily } from '../src/counter-family.js';
import { HistogramFamily } from '../src/histogram-family.js';
import { parseMetrics, type Sample } from './helpers.js';

const key = (s: Sample): string => `${s.name}{${Object.entries(s.labels).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(',')}}`;
const asMap = (text: string): Map<string, number> => new Map(parseMetrics(text).map((s) => [key(s), s.value]));

describe("Ponte's pre-resolved metric families", () => {
  const values = [0.0004, 0.003, 0.003, 0.02, 0.7, 2.5, 9, 0.1];
  const bounds = [0.001, 0.01, 0.1, 1, 5];

  it('export the same series and values as prom-client for the same observations', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const h = new HistogramFamily('x_duration_seconds', 'Latency.', ['model', 'version'], bounds, ours);
    const c = new CounterFamily('x_requests_total', 'Requests.', ['model', 'code'], ours);
    const ph = new Histogram({ name: 'x_duration_seconds', help: 'Latency.', labelNames: ['model', 'version'], buckets: bounds, registers: [theirs] });
    const pc = new Counter({ name: 'x_requests_total', help: 'Requests.', labelNames: ['model', 'code'], registers: [theirs] });
    const a = h.series({ model: 'purchase', version: '1' });
    const b = h.series({ model: 'house', version: '2' });
    for (const [i, v] of values.entries()) {
      (i % 3 === 0 ? b : a).observe(v);
      ph.observe({ model: i % 3 === 0 ? 'house' : 'purchase', version: i % 3 === 0 ? '2' : '1' }, v);
      c.series({ model: 'purchase', code: i % 2 === 0 ? '200' : '400' }).inc();
      pc.inc({ model: 'purchase', code: i % 2 === 0 ? '200' : '400' });
    }
    const got = await ours.metrics();
    assert.deepEqual(asMap(got), asMap(await theirs.metrics()));
    assert.match(got, /# TYPE x_duration_seconds histogram/);
    assert.match(got, /# TYPE x_requests_total counter/);
    assert.equal(asMap(got).get('x_duration_seconds_bucket{le=+Inf,model=purchase,version=1}'), 5);
  });

  it('hand back the same series for the same labels, and reset to zero', async () => {
    const reg = new Registry();
    const c = new CounterFamily('y_total', 'Y.', ['model'], reg);
    assert.equal(c.series({ model: 'a' }), c.series({ model: 'a' }));
    c.series({ model: 'a' }).inc(3);
    reg.resetMetrics();
    assert.equal(asMap(await reg.metrics()).get('y_total{model=a}'), 0);
  });

  it('sum across cluster processes like prom-client metrics do', async () => {
    const regs = [new Registry(), new Registry()];
    const fams = regs.map((r) => new HistogramFamily('z_seconds', 'Z.', ['model'], bounds, r));
    fams[0]!.series({ model: 'm' }).observe(0.002);
    fams[1]!.series({ model: 'm' }).observe(3);
    const merged = AggregatorRegistry.aggregate(await Promise.all(regs.map((r) => r.getMetricsAsJSON())));
    const m = asMap(await merged.metrics());
    assert.equal(m.get('z_seconds_count{model=m}'), 2);
    assert.equal(m.get('z_seconds_bucket{le=0.01,model=m}'), 1);
    assert.equal(m.get('z_seconds_sum{model=m}'), 3.002);
  });

  it('ignore a non-finite observation instead of poisoning the sum', async () => {
    const reg = new Registry();
    const h = new HistogramFamily('w_seconds', 'W.', ['model'], bounds, reg);
    h.series({ model: 'm' }).observe(Number.NaN);
    h.series({ model: 'm' }).observe(0.5);
    const m = asMap(await reg.metrics());
    assert.equal(m.get('w_seconds_count{model=m}'), 1);
    assert.equal(m.get('w_seconds_sum{model=m}'), 0.5);
  });

  it('refuse bucket bounds that are not increasing', () => {
    assert.throws(() => new HistogramFamily('v_seconds', 'V.', ['model'], [1, 0.5], new Registry()), /bucket bounds must be increasing/);
  });
});
