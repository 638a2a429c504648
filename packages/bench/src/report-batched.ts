import type { BenchResults } from './results.js';

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/**
 * The batched-requests table: 32-row REST and gRPC requests at 8 connections,
 * beside the one-row OIP and gRPC rows of the 32-connection tables (rows/s =
 * req/s × rows per request).
 */
export function batchedSection(r: BenchResults): string[] {
  const rows = r.batched;
  if (!rows?.length) return ['Not measured in this run.'];
  const out = [
    'Ponte (OIP, batching on) receiving requests of 32 rows each (golden rows 0–9 repeated; before loading, one 32-row request is sent and every row of the answer checked against golden.json). REST from wrk, gRPC from h2load when it is installed (one HTTP/2 connection, as many calls in flight as connections; else from `runGrpcLoad` in the bench process); both on CPU 1; the one-row rows are those of the 32-connection table above, for comparison.',
    '',
    '| model | request | connections | req/s | rows/s | p50 ms | p99 ms | golden |',
    '|---|---|---:|---:|---:|---:|---:|---|',
  ];
  const notes: string[] = [];
  for (const model of [...new Set(rows.map((x) => x.model))]) {
    for (const key of ['ponte-oip-on', 'ponte-grpc-on']) {
      const one = r.load.find((x) => x.model === model && x.key === key && x.status === 'ok' && x.stats);
      if (one) out.push(`| ${model} | ${cell(one.label)}, 1 row/request | ${one.connections} | ${int(one.stats!.rps)} | ${int(one.stats!.rps)} | ${one.stats!.p50Ms.toFixed(2)} | ${one.stats!.p99Ms.toFixed(2)} | see above |`);
    }
    for (const b of rows.filter((x) => x.model === model)) {
      const s = b.status === 'ok' ? b.stats : undefined;
      const mark = b.note ? ` [${notes.push(`${b.label} (${model}): ${b.note}`)}]` : '';
      const status = b.status === 'ok' ? '' : ` — **${b.status === 'todo' ? 'TODO' : b.status}**`;
      const golden = b.golden ? (b.golden.ok ? `${b.golden.rows}/${b.golden.rows} rows ok` : `❌ ${b.golden.failures.length} wrong`) : '–';
      out.push(`| ${model} | ${cell(b.label)}${status}${mark} | ${b.connections} | ${s ? int(s.rps) : '–'} | ${s ? int(s.rps * b.rowsPerRequest) : '–'} | ${s ? s.p50Ms.toFixed(2) : '–'} | ${s ? s.p99Ms.toFixed(2) : '–'} | ${golden} |`);
    }
  }
  if (notes.length) out.push('', ...notes.map((n, i) => `[${i + 1}] ${cell(n)}  `));
  return out;
}
