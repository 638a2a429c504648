/**
 * A small reader for the OTLP protobuf messages the exporter sends
 * (ExportTraceServiceRequest, ExportMetricsServiceRequest), decoding only the
 * fields these tests look at. Field numbers are from opentelemetry-proto.
 */

type Field = { no: number; wire: number; value: number | bigint | Uint8Array };

function* fields(buf: Uint8Array): Generator<Field> {
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new Error('truncated varint');
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  while (pos < buf.length) {
    const tag = Number(varint());
    const no = tag >>> 3;
    const wire = tag & 7;
    if (wire === 0) yield { no, wire, value: varint() };
    else if (wire === 1) { yield { no, wire, value: view.getBigUint64(pos, true) }; pos += 8; }
    else if (wire === 2) { const len = Number(varint()); yield { no, wire, value: buf.subarray(pos, pos + len) }; pos += len; }
    else if (wire === 5) { yield { no, wire, value: view.getUint32(pos, true) }; pos += 4; }
    else throw new Error(`unsupported wire type ${wire}`);
  }
}

const text = (v: Field['value']): string => new TextDecoder().decode(v as Uint8Array);
const hex = (v: Field['value']): string => Buffer.from(v as Uint8Array).toString('hex');

export type AttributeValue = string | number | boolean | bigint;

function anyValue(buf: Uint8Array): AttributeValue | undefined {
  for (const f of fields(buf)) {
    if (f.no === 1) return text(f.value);
    if (f.no === 2) return f.value === 1n;
    if (f.no === 3) return Number(BigInt.asIntN(64, f.value as bigint));
    if (f.no === 4) { const b = new DataView(new ArrayBuffer(8)); b.setBigUint64(0, f.value as bigint, true); return b.getFloat64(0, true); }
  }
  return undefined;
}

function keyValues(list: Uint8Array[]): Record<string, AttributeValue | undefined> {
  const out: Record<string, AttributeValue | undefined> = {};
  for (const kv of list) {
    let key = '';
    let value: AttributeValue | undefined;
    for (const f of fields(kv)) {
      if (f.no === 1) key = text(f.value);
      else if (f.no === 2) value = anyValue(f.value as Uint8Array);
    }
    out[key] = value;
  }
  return out;
}

function resourceAttributes(buf: Uint8Array): Record<string, AttributeValue | undefined> {
  return keyValues([...fields(buf)].filter((f) => f.no === 1).map((f) => f.value as Uint8Array));
}

export interface DecodedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, AttributeValue | undefined>;
  statusCode: number;
  resource: Record<string, AttributeValue | undefined>;
  scope: string;
}

/** Decodes an ExportTraceServiceRequest into a flat list of spans. */
export function decodeTraces(body: Uint8Array): DecodedSpan[] {
  const spans: DecodedSpan[] = [];
  for (const rs of fields(body)) {
    if (rs.no !== 1) continue;
    let resource: Record<string, AttributeValue | undefined> = {};
    const scopes: Uint8Array[] = [];
    for (const f of fields(rs.value as Uint8Array)) {
      if (f.no === 1) resource = resourceAttributes(f.value as Uint8Array);
      else if (f.no === 2) scopes.push(f.value as Uint8Array);
    }
    for (const ss of scopes) {
      let scope = '';
      for (const f of fields(ss)) {
        if (f.no === 1) { for (const g of fields(f.value as Uint8Array)) if (g.no === 1) scope = text(g.value); }
        if (f.no !== 2) continue;
        const span: DecodedSpan = { traceId: '', spanId: '', parentSpanId: '', name: '', kind: 0, startNs: 0n, endNs: 0n, attributes: {}, statusCode: 0, resource, scope };
        const attrs: Uint8Array[] = [];
        for (const g of fields(f.value as Uint8Array)) {
          if (g.no === 1) span.traceId = hex(g.value);
          else if (g.no === 2) span.spanId = hex(g.value);
          else if (g.no === 4) span.parentSpanId = hex(g.value);
          else if (g.no === 5) span.name = text(g.value);
          else if (g.no === 6) span.kind = Number(g.value);
          else if (g.no === 7) span.startNs = g.value as bigint;
          else if (g.no === 8) span.endNs = g.value as bigint;
          else if (g.no === 9) attrs.push(g.value as Uint8Array);
          else if (g.no === 15) { for (const h of fields(g.value as Uint8Array)) if (h.no === 3) span.statusCode = Number(h.value); }
        }
        span.attributes = keyValues(attrs);
        spans.push(span);
      }
    }
  }
  return spans;
}

export interface DecodedPoint {
  attributes: Record<string, AttributeValue | undefined>;
  /** Sum and gauge points: the value; histogram points: the count. */
  value: number;
}

export interface DecodedMetric {
  name: string;
  unit: string;
  type: 'gauge' | 'sum' | 'histogram' | 'other';
  points: DecodedPoint[];
}

function numberPoint(buf: Uint8Array, histogram: boolean): DecodedPoint {
  const attrs: Uint8Array[] = [];
  let value = 0;
  for (const f of fields(buf)) {
    if (histogram) {
      if (f.no === 9) attrs.push(f.value as Uint8Array);
      else if (f.no === 4) value = Number(f.value);
    } else {
      if (f.no === 7) attrs.push(f.value as Uint8Array);
      else if (f.no === 4) { const b = new DataView(new ArrayBuffer(8)); b.setBigUint64(0, f.value as bigint, true); value = b.getFloat64(0, true); }
      else if (f.no === 6) value = Number(BigInt.asIntN(64, f.value as bigint));
    }
  }
  return { attributes: keyValues(attrs), value };
}

/** Decodes an ExportMetricsServiceRequest into a flat list of metrics. */
export function decodeMetrics(body: Uint8Array): DecodedMetric[] {
  const out: DecodedMetric[] = [];
  for (const rm of fields(body)) {
    if (rm.no !== 1) continue;
    for (const sm of fields(rm.value as Uint8Array)) {
      if (sm.no !== 2) continue;
      for (const m of fields(sm.value as Uint8Array)) {
        if (m.no !== 2) continue;
        const metric: DecodedMetric = { name: '', unit: '', type: 'other', points: [] };
        for (const f of fields(m.value as Uint8Array)) {
          if (f.no === 1) metric.name = text(f.value);
          else if (f.no === 3) metric.unit = text(f.value);
          else if (f.no === 5 || f.no === 7 || f.no === 9) {
            metric.type = f.no === 5 ? 'gauge' : f.no === 7 ? 'sum' : 'histogram';
            for (const g of fields(f.value as Uint8Array)) if (g.no === 1) metric.points.push(numberPoint(g.value as Uint8Array, f.no === 9));
          }
        }
        out.push(metric);
      }
    }
  }
  return out;
}
