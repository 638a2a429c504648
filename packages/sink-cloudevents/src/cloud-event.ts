import { tensorDataToJson, type PredictionRecord, type Tensor } from '@ponte/core';

/** The CloudEvents `type` of an answered prediction. */
export const PREDICTION_EVENT_TYPE = 'org.ponte.prediction';

/** A CloudEvent 1.0 in structured JSON mode. */
export interface PredictionEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: typeof PREDICTION_EVENT_TYPE;
  readonly time: string;
  readonly subject: string;
  readonly datacontenttype: 'application/json';
  readonly data: Record<string, unknown>;
}

function tensor(t: Tensor): Record<string, unknown> {
  return { name: t.name, datatype: t.datatype, shape: t.shape, data: tensorDataToJson(t) };
}

/**
 * One answered prediction as a CloudEvent: `id` is the prediction id when the
 * prediction log gave one (else the request id), `subject` is `model/version`,
 * and `data` holds what the prediction log stores — features by name (the
 * model's `logging.redact` features dropped) or input tensors, outputs,
 * principal, request and trace ids, latency.
 *
 * @example
 * ```ts
 * toCloudEvent(record, 'ponte/prod-eu'); // { specversion: '1.0', type: 'org.ponte.prediction', … }
 * ```
 */
export function toCloudEvent(r: PredictionRecord, source: string): PredictionEvent {
  const features = r.features;
  return {
    specversion: '1.0',
    id: r.predictionId ?? r.requestId,
    source,
    type: PREDICTION_EVENT_TYPE,
    time: new Date(Math.round(r.time)).toISOString(),
    subject: `${r.model.name}/${r.model.version}`,
    datacontenttype: 'application/json',
    data: {
      ...(r.predictionId !== undefined ? { predictionId: r.predictionId } : {}),
      requestId: r.requestId,
      ...(r.traceparent !== undefined ? { traceparent: r.traceparent } : {}),
      model: r.model.name,
      version: r.model.version,
      principal: r.principal,
      protocol: r.protocol,
      endpoint: r.endpoint,
      ...(features !== undefined ? { features } : { inputs: r.inputs.map(tensor) }),
      outputs: r.outputs.map(tensor),
      latencyMs: Math.round(r.timings.totalMs * 1000) / 1000,
    },
  };
}
