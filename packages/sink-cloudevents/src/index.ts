import { definePlugin, Tokens } from '@ponte/core';
import { toCloudEvent } from './cloud-event.js';

export { toCloudEvent, PREDICTION_EVENT_TYPE, type PredictionEvent } from './cloud-event.js';

/** Options of `@ponte/sink-cloudevents`. */
export interface CloudEventsSinkOptions {
  /** Where batches are POSTed (`application/cloudevents-batch+json`). */
  url: string;
  /** Extra headers, e.g. `Authorization: '${env:EVENTS_TOKEN}'` (interpolated, so never in the file). */
  headers: Record<string, string>;
  /** The events' `source`; default `ponte/<server.name>`. */
  source?: string;
  timeoutMs: number;
  /** Most events per POST. */
  maxBatch: number;
  /** Most events waiting; beyond it new ones are dropped and counted. */
  capacity: number;
}

/**
 * Posts every answered prediction as a CloudEvent (structured JSON, `type:
 * org.ponte.prediction`) to an HTTP endpoint, in batches — the shape KServe's
 * payload-logger consumers (Knative Eventing brokers, event routers) already
 * read. An after-response sink: a slow or failing endpoint never reaches a
 * caller; what does not fit its queue is dropped and counted
 * (`ponte_sink_records_dropped_total{sink="cloudevents"}`), a failed POST is
 * counted as failed and logged at most once a minute.
 *
 * @example
 * ```yaml
 * plugins:
 *   - package: '@ponte/sink-cloudevents'
 *     options: { url: 'http://broker-ingress.knative-eventing/default/ponte', headers: { Authorization: '${env:EVENTS_TOKEN}' } }
 * ```
 */
export default definePlugin<CloudEventsSinkOptions>({
  name: '@ponte/sink-cloudevents',
  kind: 'monitor',
  core: '^0.1.0',
  description: 'Answered predictions as CloudEvents (structured JSON batches) over HTTP',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['url'],
    properties: {
      // No user:password@ in the URL (fetch refuses it, echoing the URL): credentials go in `headers`.
      url: { type: 'string', pattern: '^https?://[^/?#@]+([/?#]|$)' },
      headers: { type: 'object', additionalProperties: { type: 'string' }, default: {} },
      source: { type: 'string', minLength: 1 },
      timeoutMs: { type: 'integer', minimum: 1, default: 5000 },
      maxBatch: { type: 'integer', minimum: 1, maximum: 10000, default: 256 },
      capacity: { type: 'integer', minimum: 1, default: 10000 },
    },
  },
  register(ctx) {
    const o = ctx.options;
    const source = o.source ?? `ponte/${ctx.config.server.name}`;
    // What errors name: the URL without its query, which may carry a token (`?sig=…`, `?code=…`).
    const target = new URL(o.url);
    const shown = `${target.origin}${target.pathname}`;
    ctx.provide(Tokens.PredictionSink, {
      name: 'cloudevents',
      capacity: o.capacity,
      maxBatch: o.maxBatch,
      async write(records) {
        const res = await fetch(o.url, {
          method: 'POST',
          headers: { ...o.headers, 'content-type': 'application/cloudevents-batch+json' },
          body: JSON.stringify(records.map((r) => toCloudEvent(r, source))),
          signal: AbortSignal.timeout(o.timeoutMs),
        });
        await res.arrayBuffer();
        // The URL without its query, never the headers (they may hold credentials), goes into the error the hub logs.
        if (!res.ok) throw new Error(`POST ${shown} answered ${res.status}`);
      },
    });
  },
});
