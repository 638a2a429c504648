import type { Logger } from '@ponte/core';
import type { AlertEvent, Notifier } from './notifier.js';

export interface WebhookOptions {
  readonly url: string;
  /** `json`: the event as it is; `alertmanager`: the body Alertmanager posts to its webhook receivers (version 4). */
  readonly format: 'json' | 'alertmanager';
  readonly timeoutMs: number;
  /** Retries after the first attempt, with exponential backoff from `backoffMs`. */
  readonly retries: number;
  readonly backoffMs: number;
  readonly headers: Readonly<Record<string, string>>;
}

/** The Alertmanager webhook payload for one event, so receivers built for Alertmanager read it unchanged. */
export function alertmanagerBody(e: AlertEvent, externalURL: string): Record<string, unknown> {
  const labels = { alertname: e.alert, model: e.model, version: e.version, severity: e.severity, kind: e.when };
  return {
    version: '4',
    groupKey: `{}:{alertname="${e.alert}",model="${e.model}"}`,
    truncatedAlerts: 0,
    status: e.status,
    receiver: 'ponte',
    groupLabels: { alertname: e.alert, model: e.model },
    commonLabels: labels,
    commonAnnotations: { summary: e.detail },
    externalURL,
    alerts: [{
      status: e.status,
      labels,
      annotations: { summary: e.detail, window: String(e.window.seq), window_start: e.window.start, window_end: e.window.end },
      startsAt: e.startsAt,
      endsAt: e.endsAt ?? '0001-01-01T00:00:00Z',
      generatorURL: `${externalURL}/v2/models/${encodeURIComponent(e.model)}/monitoring`,
      fingerprint: `${e.model}/${e.version}/${e.alert}`,
    }],
  };
}

/**
 * Posts each event as JSON, retrying a failed delivery (network error,
 * timeout, 5xx or 429) with exponential backoff; a 4xx other than 429 is not
 * retried. A delivery that still fails is logged, not thrown.
 */
export function webhookNotifier(options: WebhookOptions, logger: Logger, externalURL: () => string): Notifier {
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());
  // fetch() refuses a URL with credentials in it (and its error quotes the URL whole): send them as Basic auth instead.
  let target = options.url;
  const auth: Record<string, string> = {};
  try {
    const u = new URL(options.url);
    if (u.username !== '' || u.password !== '') {
      auth['authorization'] = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
      u.username = '';
      u.password = '';
      target = u.toString();
    }
  } catch { /* fetch says why */ }
  return {
    name: 'webhook',
    async notify(e: AlertEvent): Promise<void> {
      const body = JSON.stringify(options.format === 'alertmanager' ? alertmanagerBody(e, externalURL()) : e);
      let last = '';
      for (let attempt = 0; attempt <= options.retries; attempt++) {
        if (attempt > 0) await sleep(options.backoffMs * 2 ** (attempt - 1));
        try {
          const res = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json', ...auth, ...options.headers }, body, signal: AbortSignal.timeout(options.timeoutMs) });
          await res.arrayBuffer().catch(() => undefined);
          if (res.ok) return;
          last = `HTTP ${res.status}`;
          if (res.status < 500 && res.status !== 429) break;
        } catch (err) {
          last = (err instanceof Error ? err.message : String(err)).split(options.url).join('<url>').split(target).join('<url>');
        }
      }
      // The URL may carry a token: log the host only.
      let host = 'the webhook';
      try { host = new URL(options.url).host; } catch { /* keep the placeholder */ }
      logger.warn({ alert: e.alert, model: e.model, status: e.status, host, reason: last }, 'alert webhook delivery failed');
    },
  };
}
