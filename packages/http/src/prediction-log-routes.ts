import { PonteError, type FeedbackItem, type ModelRegistry, type PlainRoute, type PredictionStore } from '@ponte/core';
import { parseJson } from './body.js';
import { jsonAnswer, type HttpAnswer } from './http-answer.js';
import type { HttpExchange } from './http-exchange.js';
import type { HttpRoute } from './route.js';

/** Most labels one feedback request may carry. */
export const MAX_FEEDBACK_ITEMS = 10_000;
const TAG = 'Prediction log';

function bad(message: string): PonteError {
  return new PonteError('PONTE_BAD_REQUEST', message);
}

/** The store, or a 404 that says how to turn the log on. */
function storeOf(get: () => PredictionStore | undefined): PredictionStore {
  const store = get();
  if (store === undefined) throw new PonteError('PONTE_NOT_FOUND', 'the prediction log is not configured: load a store plugin (@ponte/store-sqlite or @ponte/store-postgres)');
  return store;
}

/** Reads `[{"id", "label"}|{"id", "value"}, …]`, naming the item and the field of the first problem. */
export function decodeFeedback(body: unknown): FeedbackItem[] {
  if (!Array.isArray(body)) throw bad('body: must be a JSON array of {"id", "label"} or {"id", "value"} objects');
  if (body.length === 0) throw bad('body: must hold at least one item');
  if (body.length > MAX_FEEDBACK_ITEMS) throw bad(`body: at most ${MAX_FEEDBACK_ITEMS} items per request, got ${body.length}`);
  return body.map((raw: unknown, i): FeedbackItem => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad(`[${i}]: must be an object`);
    const o = raw as Record<string, unknown>;
    for (const k of Object.keys(o)) if (k !== 'id' && k !== 'label' && k !== 'value' && k !== 'time') throw bad(`[${i}].${k}: unknown field (allowed: id, label, value, time)`);
    const id = o['id'];
    if (typeof id !== 'string' || id === '' || id.length > 64) throw bad(`[${i}].id: must be the prediction id (a string of 1 to 64 characters)`);
    const { label, value, time } = o;
    if ((label === undefined) === (value === undefined)) throw bad(`[${i}]: give exactly one of label (classification) or value (regression)`);
    if (label !== undefined && typeof label !== 'string' && typeof label !== 'boolean' && !(typeof label === 'number' && Number.isFinite(label))) throw bad(`[${i}].label: must be a string, a finite number or a boolean`);
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value))) throw bad(`[${i}].value: must be a finite number`);
    const at = time === undefined ? undefined : parseTime(time, `[${i}].time`);
    return { id, ...(label !== undefined ? { label: label as string | number | boolean } : {}), ...(value !== undefined ? { value: value as number } : {}), ...(at !== undefined ? { time: at } : {}) };
  });
}

/** Epoch milliseconds from a number of milliseconds or an ISO 8601 string. */
function parseTime(raw: unknown, field: string): number {
  const ms = typeof raw === 'number' ? raw : typeof raw === 'string' ? (/^\d+$/.test(raw) ? Number(raw) : Date.parse(raw)) : NaN;
  if (!Number.isFinite(ms) || ms < 0) throw bad(`${field}: must be epoch milliseconds or an ISO 8601 time`);
  return ms;
}

function intParam(raw: string | null, field: string, min: number, max: number, fallback: number): number {
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw bad(`${field}: must be an integer from ${min} to ${max}`);
  return n;
}

/**
 * The prediction log over REST: delayed labels in (`POST …/feedback`, the
 * `feedback` action), logged predictions out (`GET …/predictions`, by time
 * range with a cursor, and one by id with its label; the `monitor` action).
 * The store is read at request time: without a store plugin they answer 404.
 * `settleLog` writes the predictions waiting in the log's buffer (for labels
 * of predictions answered moments ago).
 */
export function predictionLogRoutes(registry: () => ModelRegistry, store: () => PredictionStore | undefined, settleLog: () => Promise<void>): HttpRoute[] {
  const feedback: PlainRoute<HttpExchange, HttpAnswer> = {
    async respond(x) {
      const model = registry().config(x.model!).name;
      const s = storeOf(store);
      const items = decodeFeedback(parseJson(await x.body(), x.limits.jsonDepth));
      let results = await s.appendFeedback(model, items);
      // A prediction answered moments ago may still wait in the log's buffer: write it, then ask again for those.
      const unknown = results.flatMap((r, i) => (r.status === 'unknown_id' ? [i] : []));
      if (unknown.length > 0) {
        await settleLog();
        const again = await s.appendFeedback(model, unknown.map((i) => items[i]!));
        results = [...results];
        unknown.forEach((i, k) => { results[i] = again[k]!; });
      }
      const count = (status: string): number => results.filter((r) => r.status === status).length;
      return jsonAnswer({ model, stored: count('stored'), duplicates: count('duplicate'), unknown: count('unknown_id'), results });
    },
  };
  const list: PlainRoute<HttpExchange, HttpAnswer> = {
    async respond(x) {
      const model = registry().config(x.model!).name;
      const s = storeOf(store);
      const q = x.query;
      for (const k of q.keys()) if (!['since', 'until', 'version', 'limit', 'cursor'].includes(k)) throw bad(`${k}: unknown query parameter (allowed: since, until, version, limit, cursor)`);
      const since = q.get('since');
      const until = q.get('until');
      const version = q.get('version');
      const cursor = q.get('cursor');
      const page = await s.query({
        model,
        limit: intParam(q.get('limit'), 'limit', 1, 1000, 100),
        ...(since !== null ? { since: parseTime(since, 'since') } : {}),
        ...(until !== null ? { until: parseTime(until, 'until') } : {}),
        ...(version !== null ? { version } : {}),
        ...(cursor !== null ? { cursor } : {}),
      });
      return jsonAnswer({ model, predictions: page.items, ...(page.cursor !== undefined ? { next_cursor: page.cursor } : {}) });
    },
  };
  const one: PlainRoute<HttpExchange, HttpAnswer> = {
    async respond(x) {
      const model = registry().config(x.model!).name;
      const id = x.params['id']!;
      const p = await storeOf(store).get(model, id);
      if (p === undefined) throw new PonteError('PONTE_NOT_FOUND', `prediction "${id.slice(0, 64)}" of model "${model}" is not in the log`);
      return jsonAnswer(p);
    },
  };
  return [
    { method: 'POST', path: '/v2/models/{name}/feedback', name: 'feedback', action: 'feedback', docs: { operationId: 'modelFeedback', summary: 'Delayed labels for logged predictions', description: `A JSON array of up to ${MAX_FEEDBACK_ITEMS} {"id", "label"} (classification) or {"id", "value"} (regression) items, "id" being a prediction id an answer returned. Idempotent: a label sent twice is stored once. Each item is reported back: stored, duplicate or unknown_id.`, tag: TAG }, ...feedback },
    { method: 'GET', path: '/v2/models/{name}/predictions', name: 'prediction_log', action: 'monitor', docs: { operationId: 'modelPredictions', summary: 'Logged predictions of a model', description: 'Oldest first; `since` and `until` (epoch milliseconds or ISO 8601), `version`, `limit` (1–1000, default 100), and `cursor` (the `next_cursor` of the previous page).', tag: TAG }, ...list },
    { method: 'GET', path: '/v2/models/{name}/predictions/{id}', name: 'prediction', action: 'monitor', docs: { operationId: 'modelPrediction', summary: 'One logged prediction, with its label', tag: TAG }, ...one },
  ];
}
