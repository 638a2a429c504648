import type { Io } from './commands.js';
import { EXIT } from './exit-codes.js';

export interface LogExportOptions {
  /** Base URL of a running Ponte server (`http://127.0.0.1:8080`). */
  url: string;
  model: string;
  since?: string;
  until?: string;
  version?: string;
  format: 'jsonl' | 'csv';
  /** Extra request headers (`Authorization: Bearer …`), so the export passes the server's gate. */
  headers: Record<string, string>;
}

interface Tensor { name: string; data: unknown[] }
interface Logged {
  id: string; time: number; model: string; version: string; requestId: string; principal: string;
  features?: Array<Record<string, unknown>>; inputs?: Tensor[]; outputs: Tensor[];
  feedback?: { label?: unknown; value?: number; time?: number };
}

/** One CSV field: quoted when it holds a comma, a quote or a line break. */
function csvField(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * `ponte log export`: reads a model's prediction log page by page through the
 * server's `GET /v2/models/{m}/predictions` (so it works with any store and
 * passes the same gate as every other client) and writes JSON lines or CSV to
 * stdout, for notebooks and retraining. CSV has one row per logged row: the
 * record's fields, one column per feature (tensors as JSON for models without
 * names), each output's values for that row as JSON, and the label.
 */
export async function logExport(o: LogExportOptions, io: Io): Promise<number> {
  let cursor: string | undefined;
  let header: string[] | undefined;
  let n = 0;
  for (;;) {
    const q = new URLSearchParams({ limit: '1000' });
    if (o.since !== undefined) q.set('since', o.since);
    if (o.until !== undefined) q.set('until', o.until);
    if (o.version !== undefined) q.set('version', o.version);
    if (cursor !== undefined) q.set('cursor', cursor);
    let res: Response;
    try {
      res = await fetch(`${o.url.replace(/\/+$/, '')}/v2/models/${encodeURIComponent(o.model)}/predictions?${q}`, { headers: o.headers });
    } catch (e) {
      io.err(`ponte: cannot reach ${o.url} (${e instanceof Error ? e.message : String(e)})\n`);
      return EXIT.failure;
    }
    const body = (await res.json().catch(() => ({}))) as { predictions?: Logged[]; next_cursor?: string; error?: string };
    if (!res.ok || body.predictions === undefined) {
      io.err(`ponte: ${res.status} ${body.error ?? res.statusText}\n`);
      return EXIT.failure;
    }
    for (const p of body.predictions) {
      if (o.format === 'jsonl') {
        io.out(`${JSON.stringify(p)}\n`);
        continue;
      }
      const rows = p.features ?? [{ inputs: p.inputs }];
      header ??= ['id', 'row', 'time', 'model', 'version', 'request_id', 'principal', ...Object.keys(rows[0] ?? {}), ...p.outputs.map((t) => t.name), 'feedback_label', 'feedback_value'];
      if (n === 0) io.out(`${header.map(csvField).join(',')}\n`);
      rows.forEach((row, r) => {
        const outputs = p.outputs.map((t) => {
          const width = t.data.length / rows.length;
          return width === 1 ? t.data[r] : t.data.slice(r * width, (r + 1) * width);
        });
        const cells = [p.id, r, new Date(p.time).toISOString(), p.model, p.version, p.requestId, p.principal, ...Object.keys(rows[0] ?? {}).map((k) => row[k]), ...outputs, p.feedback?.label, p.feedback?.value];
        io.out(`${cells.map(csvField).join(',')}\n`);
        n++;
      });
    }
    if (o.format === 'jsonl') n += body.predictions.length;
    cursor = body.next_cursor;
    if (cursor === undefined) break;
  }
  io.err(`ponte: exported ${n} ${o.format === 'csv' ? 'rows' : 'predictions'} of ${o.model}\n`);
  return EXIT.ok;
}
