import type { Io } from './commands.js';
import { EXIT } from './exit-codes.js';

export interface MonitorReportOptions {
  url: string;
  model: string;
  version?: string;
  limit: number;
  json: boolean;
  headers: Record<string, string>;
}

interface Drift { drifted?: boolean; p_adjusted?: number | null; effect_size?: number | null; effect_size_method?: string; method?: string }
interface Figure { value: number; ci_low: number | null; ci_high: number | null; n: number }
interface Window {
  seq: number; start: string; end: string; rows: number; status: string; drifted: boolean;
  features: Record<string, { drift?: Drift; quality?: Record<string, number> }>;
  prediction_drift: Drift | null;
  performance: Record<string, Figure> | null;
  estimated_performance: ({ available?: boolean } & Record<string, unknown>) | null;
  label_coverage: number;
}
interface Report { model: string; version: string; windows: Window[]; alerts: Array<{ alert: string; severity: string; since?: string; detail: string }> }

function num(v: number | null | undefined, digits = 3): string {
  return v === null || v === undefined ? '–' : Math.abs(v) > 0 && Math.abs(v) < 10 ** -digits ? v.toExponential(1) : v.toFixed(digits);
}

/** Columns padded to their widest cell. */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n') + '\n';
}

/** The report as tables: one line per window, then the newest window's features, then the alerts firing. */
export function formatReport(r: Report): string {
  let out = `model ${r.model} version ${r.version}: ${r.windows.length} window(s)\n\n`;
  if (r.windows.length === 0) return `${out}no closed window yet\n`;
  const perfName = (w: Window): string | undefined => (w.performance === null ? undefined : 'accuracy' in w.performance ? 'accuracy' : 'rmse' in w.performance ? 'rmse' : Object.keys(w.performance)[0]);
  out += table([
    ['window', 'start', 'rows', 'status', 'drifted features', 'prediction drift', 'performance (95 % CI)', 'labels', 'estimated'],
    ...r.windows.map((w) => {
      const name = perfName(w);
      const f = name === undefined ? undefined : w.performance![name]!;
      const est = w.estimated_performance;
      const estAcc = est !== null && est.available !== false ? (est['accuracy'] as Figure | undefined) : undefined;
      return [String(w.seq), w.start, String(w.rows), w.status,
        Object.entries(w.features).filter(([, v]) => v.drift?.drifted === true).map(([k]) => k).join(',') || '–',
        w.prediction_drift?.drifted === true ? 'yes' : w.prediction_drift === null ? '–' : 'no',
        f === undefined ? '–' : `${name} ${num(f.value)} [${num(f.ci_low)}, ${num(f.ci_high)}]`,
        `${(w.label_coverage * 100).toFixed(0)} %`,
        estAcc === undefined ? '–' : `accuracy ${num(estAcc.value)}`];
    }),
  ]);
  const newest = r.windows[r.windows.length - 1]!;
  out += `\nfeatures of window ${newest.seq}:\n`;
  out += table([
    ['feature', 'test', 'p (Holm)', 'effect size', 'drifted', 'missing', 'out of range'],
    ...Object.entries(newest.features).map(([k, v]) => [k, v.drift?.method ?? '–', num(v.drift?.p_adjusted, 4), `${num(v.drift?.effect_size)} ${v.drift?.effect_size_method ?? ''}`.trim(), v.drift?.drifted === true ? 'yes' : 'no', num(v.quality?.['missing_rate']), num(v.quality?.['out_of_range_rate'])]),
  ]);
  out += r.alerts.length === 0 ? '\nno alert firing\n' : `\nalerts firing:\n${table([['alert', 'severity', 'since', 'detail'], ...r.alerts.map((a) => [a.alert, a.severity, a.since ?? '', a.detail])])}`;
  return out;
}

/** `ponte monitor report`: a running server's monitoring report (`GET /v2/models/{m}/monitoring`) as tables, or as its JSON. */
export async function monitorReport(o: MonitorReportOptions, io: Io): Promise<number> {
  const q = new URLSearchParams({ limit: String(o.limit), ...(o.version !== undefined ? { version: o.version } : {}) });
  let res: Response;
  try {
    res = await fetch(`${o.url.replace(/\/$/, '')}/v2/models/${encodeURIComponent(o.model)}/monitoring?${q}`, { headers: o.headers });
  } catch (e) {
    io.err(`ponte: cannot reach ${o.url}: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.failure;
  }
  const body = (await res.json().catch(() => ({}))) as Report & { error?: string };
  if (!res.ok) {
    io.err(`ponte: ${res.status}: ${body.error ?? 'the server refused the report'}\n`);
    return EXIT.failure;
  }
  io.out(o.json ? `${JSON.stringify(body, null, 2)}\n` : formatReport(body));
  return EXIT.ok;
}
