/**
 * Alert webhooks as a receiver sees them: a real HTTP server on 127.0.0.1
 * that records what it is sent and answers as told (500, 400, nothing at all).
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createLogger, type PonteServer } from '@ponte/core';
import { REPO_ROOT, startTestServer } from '@ponte/http/testing';
import type { AlertEvent } from '../src/index.js';
import { webhookNotifier, type WebhookOptions } from '../src/webhook-notifier.js';
import { eventually, purchaseRepository, readPurchaseCsv, replay, sendLabels } from './monitor-support.js';

interface Received { path: string; headers: IncomingMessage['headers']; body: unknown; at: number }
type Answer = (req: IncomingMessage, res: ServerResponse) => void;

/** A webhook receiver: answers the n-th request with `answers[n]` (the last one after that), 200 when none. */
class Receiver {
  readonly requests: Received[] = [];
  answers: Answer[] = [];
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        this.requests.push({ path: req.url ?? '', headers: req.headers, body: text === '' ? undefined : JSON.parse(text), at: performance.now() });
        const answer = this.answers[Math.min(this.requests.length - 1, this.answers.length - 1)] ?? ok;
        answer(req, res);
      });
    });
    this.server.on('connection', (s) => { this.sockets.add(s); s.on('close', () => this.sockets.delete(s)); });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  reset(...answers: Answer[]): void {
    this.requests.length = 0;
    this.answers = answers;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server?.close(r));
  }
}

const ok: Answer = (_req, res) => res.writeHead(200).end('ok');
const status = (code: number): Answer => (_req, res) => res.writeHead(code).end(`answered ${code}`);
/** Never answers: the notifier's timeout must give up. */
const hang: Answer = () => undefined;

/** A logger whose lines are kept, as the server's would be written. */
function capturedLogger(): { logger: ReturnType<typeof createLogger>; text: () => string } {
  let text = '';
  const sink = new Writable({ write(chunk: Buffer, _enc, cb) { text += chunk.toString(); cb(); } });
  return { logger: createLogger('info', sink), text: () => text };
}

const EVENT: AlertEvent = {
  status: 'firing', alert: 'purchase_drift', model: 'purchase', version: '1', severity: 'warning', when: 'drift',
  detail: 'dataset drift', window: { seq: 3, start: '2026-01-10T12:00:00.000Z', end: '2026-01-10T12:05:00.000Z' },
  startsAt: '2026-01-10T12:05:01.000Z',
};
const RESOLVED: AlertEvent = { ...EVENT, status: 'resolved', detail: 'no dataset drift', window: { ...EVENT.window, seq: 4 }, endsAt: '2026-01-10T12:10:01.000Z' };

function options(url: string, o: Partial<WebhookOptions> = {}): WebhookOptions {
  return { url, format: 'json', timeoutMs: 2000, retries: 3, backoffMs: 50, headers: {}, ...o };
}

describe('the webhook notifier', () => {
  const receiver = new Receiver();
  before(() => receiver.start());
  after(() => receiver.stop());

  it('json: posts the event as it is, with the configured headers', async () => {
    receiver.reset();
    const log = capturedLogger();
    await webhookNotifier(options(`${receiver.url}/hook`, { headers: { 'x-team': 'ml' } }), log.logger, () => 'http://ponte:8080').notify(EVENT);
    assert.equal(receiver.requests.length, 1);
    const [r] = receiver.requests;
    assert.equal(r!.path, '/hook');
    assert.equal(r!.headers['content-type'], 'application/json');
    assert.equal(r!.headers['x-team'], 'ml');
    assert.deepEqual(r!.body, EVENT);
    assert.doesNotMatch(log.text(), /delivery failed/);
  });

  it('alertmanager: posts the body of Alertmanager\'s webhook (version 4), firing then resolved', async () => {
    receiver.reset();
    const notifier = webhookNotifier(options(receiver.url, { format: 'alertmanager' }), capturedLogger().logger, () => 'http://ponte:8080');
    await notifier.notify(EVENT);
    await notifier.notify(RESOLVED);
    assert.equal(receiver.requests.length, 2);
    const [firing, resolved] = receiver.requests.map((r) => r.body as Record<string, unknown> & { alerts: Array<Record<string, unknown> & { labels: Record<string, string>; annotations: Record<string, string> }> });
    for (const [body, e] of [[firing!, EVENT], [resolved!, RESOLVED]] as const) {
      assert.equal(body['version'], '4');
      assert.equal(body['status'], e.status);
      assert.equal(body['receiver'], 'ponte');
      assert.equal(typeof body['groupKey'], 'string');
      assert.equal(body['truncatedAlerts'], 0);
      assert.deepEqual(body['groupLabels'], { alertname: 'purchase_drift', model: 'purchase' });
      assert.deepEqual(body['commonLabels'], { alertname: 'purchase_drift', model: 'purchase', version: '1', severity: 'warning', kind: 'drift' });
      assert.deepEqual(body['commonAnnotations'], { summary: e.detail });
      assert.equal(body['externalURL'], 'http://ponte:8080');
      assert.equal(body.alerts.length, 1);
      const a = body.alerts[0]!;
      assert.equal(a['status'], e.status);
      assert.equal(a.labels['alertname'], 'purchase_drift');
      assert.equal(a.labels['severity'], 'warning');
      assert.equal(a.annotations['summary'], e.detail);
      assert.equal(a.annotations['window'], String(e.window.seq));
      assert.equal(a['startsAt'], EVENT.startsAt);
      assert.equal(a['generatorURL'], 'http://ponte:8080/v2/models/purchase/monitoring');
      assert.equal(typeof a['fingerprint'], 'string');
    }
    // Alertmanager's zero time while firing; the time it stopped once resolved. One alert, one fingerprint.
    assert.equal(firing!.alerts[0]!['endsAt'], '0001-01-01T00:00:00Z');
    assert.equal(resolved!.alerts[0]!['endsAt'], RESOLVED.endsAt);
    assert.equal(firing!.alerts[0]!['fingerprint'], resolved!.alerts[0]!['fingerprint']);
    assert.equal(firing!['groupKey'], resolved!['groupKey']);
  });

  it('retries a 500 with growing backoff, and stops at the first success', async () => {
    receiver.reset(status(500), status(503), ok);
    const log = capturedLogger();
    await webhookNotifier(options(receiver.url, { backoffMs: 100 }), log.logger, () => '').notify(EVENT);
    assert.equal(receiver.requests.length, 3);
    const [a, b, c] = receiver.requests.map((r) => r.at);
    // 100 ms, then 200 ms (timers never fire early; a busy machine only makes them later).
    assert.ok(b! - a! >= 95, `first retry after ${b! - a!} ms`);
    assert.ok(c! - b! >= 195, `second retry after ${c! - b!} ms`);
    assert.deepEqual(receiver.requests[2]!.body, EVENT, 'the same body each time');
    assert.doesNotMatch(log.text(), /delivery failed/);
  });

  it('gives up after its retries, logs why, and does not throw', async () => {
    receiver.reset(status(500));
    const log = capturedLogger();
    await webhookNotifier(options(receiver.url, { retries: 2, backoffMs: 10 }), log.logger, () => '').notify(EVENT);
    assert.equal(receiver.requests.length, 3);
    assert.match(log.text(), /"reason":"HTTP 500"[^\n]*"msg":"alert webhook delivery failed"/);
  });

  it('does not retry a 400: the receiver will refuse the same body again', async () => {
    receiver.reset(status(400));
    const log = capturedLogger();
    await webhookNotifier(options(receiver.url), log.logger, () => '').notify(EVENT);
    assert.equal(receiver.requests.length, 1);
    assert.match(log.text(), /"reason":"HTTP 400"/);
  });

  it('retries a 429 (the receiver is busy, not refusing)', async () => {
    receiver.reset(status(429), ok);
    await webhookNotifier(options(receiver.url), capturedLogger().logger, () => '').notify(EVENT);
    assert.equal(receiver.requests.length, 2);
  });

  it('a receiver that never answers times out, is retried, and the notifier returns', async () => {
    receiver.reset(hang);
    const log = capturedLogger();
    const started = performance.now();
    await webhookNotifier(options(receiver.url, { timeoutMs: 300, retries: 1, backoffMs: 10 }), log.logger, () => '').notify(EVENT);
    const took = performance.now() - started;
    assert.equal(receiver.requests.length, 2);
    assert.ok(took >= 600 && took < 30_000, `took ${took} ms`);
    assert.match(log.text(), /"msg":"alert webhook delivery failed"/);
    assert.match(log.text(), /"reason":"[^"]*(timeout|aborted)/i);
  });

  it('never logs a URL with a token in it in full: only its host', async () => {
    const secret = 's3cr3t-t0ken';
    receiver.reset(status(500));
    const log = capturedLogger();
    await webhookNotifier(options(`${receiver.url}/hooks/${secret}?token=${secret}`, { retries: 1, backoffMs: 10 }), log.logger, () => '').notify(EVENT);
    assert.equal(receiver.requests[0]!.path, `/hooks/${secret}?token=${secret}`);
    // Nobody listens on port 9: a network error's message must not quote the URL either.
    await webhookNotifier(options(`http://127.0.0.1:9/hooks/${secret}`, { retries: 0 }), log.logger, () => '').notify(EVENT);
    const text = log.text();
    assert.equal(text.match(/delivery failed/g)?.length, 2, text);
    assert.match(text, new RegExp(`"host":"${receiver.url.slice('http://'.length)}"`));
    assert.doesNotMatch(text, new RegExp(secret));
  });

  it('credentials in the URL are sent as Basic auth, and never logged', async () => {
    const password = 'pa55-w0rd';
    receiver.reset(ok);
    const log = capturedLogger();
    const withCredentials = receiver.url.replace('http://', `http://alerts:${password}@`);
    await webhookNotifier(options(`${withCredentials}/hook`), log.logger, () => '').notify(EVENT);
    assert.equal(receiver.requests.length, 1, log.text());
    assert.equal(receiver.requests[0]!.headers.authorization, `Basic ${Buffer.from(`alerts:${password}`).toString('base64')}`);
    receiver.reset(status(500));
    await webhookNotifier(options(`${withCredentials}/hook`, { retries: 0 }), log.logger, () => '').notify(EVENT);
    assert.match(log.text(), /delivery failed/);
    assert.doesNotMatch(log.text(), new RegExp(password));
  });
});

describe('a drift alert through the plugin\'s configured webhook', () => {
  const receiver = new Receiver();
  let server: PonteServer;
  let repo: Awaited<ReturnType<typeof purchaseRepository>>;

  before(async () => {
    await receiver.start();
    repo = await purchaseRepository();
    server = await startTestServer({
      config: {
        plugins: [
          '@ponte/onnx',
          '@ponte/exporter-prometheus',
          { package: '@ponte/store-sqlite', options: { file: join(repo.dir, 'ponte.db') } },
          { package: '@ponte/monitor', options: { tickSeconds: 0.2, lagSeconds: 1, performanceEverySeconds: 0.5, notifiers: [{ type: 'webhook', url: `${receiver.url}/alertmanager`, format: 'alertmanager', backoffMs: 50 }] } },
        ],
        repository: repo.repository,
        models: [{ name: 'purchase', monitoring: { window: { rows: 1000 }, alerts: [{ when: 'drift', windows: 1, severity: 'critical', name: 'purchase_drift' }] } }],
      },
    });
  });
  after(async () => {
    await server?.stop();
    await receiver.stop();
    repo?.cleanup();
  });

  it('fires on a drifted window and resolves on the next window of holdout traffic, once each', async () => {
    type Body = { status: string; alerts: Array<{ status: string; labels: Record<string, string>; startsAt: string; endsAt: string; annotations: Record<string, string> }> };
    const bodies = (): Body[] => receiver.requests.map((r) => r.body as Body);
    // Prometheus scrapes from the start, before any window, label or alert: the series must still appear later.
    assert.equal((await fetch(`${server.url}/metrics`)).status, 200);
    const labels = await replay(server.url, readPurchaseCsv('drifted').slice(0, 1000));
    await eventually('the firing notification', async () => (bodies().length >= 1 ? true : undefined));
    const [firing] = bodies();
    assert.equal(receiver.requests[0]!.path, '/alertmanager');
    assert.equal(firing!.status, 'firing');
    assert.deepEqual(firing!.alerts[0]!.labels, { alertname: 'purchase_drift', model: 'purchase', version: '1', severity: 'critical', kind: 'drift' });
    assert.equal(firing!.alerts[0]!.endsAt, '0001-01-01T00:00:00Z');
    assert.equal(firing!.alerts[0]!.annotations['window'], '1');

    // While it fires, with the window's labels joined, /metrics serves every monitoring series the Prometheus rules use.
    await sendLabels(server.url, labels);
    const metrics = await eventually('performance from labels on /metrics', async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      return /^ponte_monitor_performance\{/m.test(text) ? text : undefined;
    });
    const used = new Set([...readFileSync(join(REPO_ROOT, 'deploy/prometheus/alerts.yml'), 'utf8').matchAll(/\b(ponte_monitor_[a-z0-9_]+)/g)].map((m) => m[1]!));
    assert.ok(used.size >= 5, [...used].join(','));
    for (const name of used) assert.match(metrics, new RegExp(`^${name}\\{`, 'm'), `${name} is served`);
    assert.match(metrics, /^ponte_monitor_alert\{[^}]*alert="purchase_drift",severity="critical",kind="drift"\} 1$/m);

    await replay(server.url, readPurchaseCsv('holdout').slice(0, 1000));
    await eventually('the resolved notification', async () => (bodies().length >= 2 ? true : undefined));
    // A few more ticks: no repeat of either.
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(bodies().map((b) => b.status), ['firing', 'resolved']);
    const resolved = bodies()[1]!.alerts[0]!;
    assert.equal(resolved.status, 'resolved');
    assert.equal(resolved.annotations['window'], '2');
    assert.equal(resolved.startsAt, firing!.alerts[0]!.startsAt, 'the resolved alert keeps the time it started');
    assert.ok(Date.parse(resolved.endsAt) >= Date.parse(resolved.startsAt));

    const report = (await (await fetch(`${server.url}/v2/models/purchase/monitoring`)).json()) as { alerts: unknown[]; alert_history: Array<{ status: string }> };
    assert.deepEqual(report.alerts, []);
    assert.deepEqual(report.alert_history.map((e) => e.status), ['firing', 'resolved']);
  });
});
