import { resolve } from 'node:path';
import { instancesToRequest, type ReadyModel } from '@ponte/core';
import { newestReadyVersion, startOfflineServer } from '@ponte/http';
import { readReferenceFile, type ReferenceRecord } from '@ponte/monitor';
import { attributionToJson, type Attribution } from './attribution.js';
import { ExplanationService } from './explanation-service.js';

export interface ExplainCommandOptions {
  readonly config: string;
  readonly model: string;
  readonly data: string;
  readonly version?: string;
  /** JSON lines (one per row, every output class) instead of a table. */
  readonly json: boolean;
  /** A progress bar on stderr. */
  readonly progress: boolean;
}

export interface ExplainIo {
  out(s: string): void;
  err(s: string): void;
}

/** Rows explained per call. */
const BATCH = 16;
/** Feature columns a table shows at most: the largest |values| of each row beyond that. */
const TABLE_FEATURES = 10;

/** The explanation a table shows for a row: the positive class of a binary classifier, the predicted class of another, else the one output. */
function shownOutput(row: readonly Attribution[]): Attribution {
  if (row.length === 2) return row[1]!;
  return row.reduce((a, b) => (b.prediction > a.prediction ? b : a));
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

function num(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(2) : v.toFixed(4);
}

function bar(done: number, total: number): string {
  const width = 30;
  const filled = total > 0 ? Math.round((done / total) * width) : width;
  return `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${total > 0 ? Math.round((done / total) * 100) : 100}% ${done}/${total} bytes`;
}

/**
 * `ponte explain`: explains every row of a CSV or JSON lines file with the
 * model's configured method, running the model in process (only the
 * config's model-format, validator and transform plugins are loaded: nothing
 * is logged, monitored or authenticated), and prints a table or JSON lines.
 */
export async function explainCommand(o: ExplainCommandOptions, io: ExplainIo): Promise<number> {
  const server = await startOfflineServer(o.config);
  try {
    const model: ReadyModel = newestReadyVersion(server, o.model, o.version);
    const service = new ExplanationService({ concurrency: 1, queue: 0, chunkRows: 4096 });
    const prepared = await service.prepare(model);
    const names = prepared.featureNames;
    const shown = Math.min(TABLE_FEATURES, names.length);
    if (!o.json) {
      const head = `${pad('row', 6)}${pad('output', 24)}${pad('base', 11, true)}${pad('predicted', 11, true)}  ${names.length <= TABLE_FEATURES ? names.map((n) => pad(n.slice(0, 14), 15, true)).join('') : `top ${shown} features by |value|`}`;
      io.out(`${model.name} version ${model.version}: ${prepared.choice.method}, ${prepared.background.size} background rows\n${head}\n`);
    }
    let index = 0;
    let pending: ReferenceRecord[] = [];
    const file = resolve(o.data);
    const flush = async (): Promise<void> => {
      if (pending.length === 0) return;
      const request = (() => {
        try {
          return instancesToRequest(pending, model.config, model.signature, model.name, model.version);
        } catch (e) {
          throw new Error(`${o.data}: rows ${index + 1}–${index + pending.length}: ${e instanceof Error ? e.message : String(e)}`);
        }
      })();
      const t = request.inputs[0]!;
      const rows = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>);
      const explained = await service.explain(model, rows, t.shape[0]!, { bounded: false });
      for (const row of explained) {
        index++;
        if (o.json) {
          io.out(`${JSON.stringify({ row: index, explanations: row.map(attributionToJson) })}\n`);
          continue;
        }
        const a = shownOutput(row);
        const cells = names.length <= TABLE_FEATURES
          ? a.values.map((v) => pad(num(v), 15, true)).join('')
          : a.values.map((v, i) => ({ v, i })).sort((x, y) => Math.abs(y.v) - Math.abs(x.v)).slice(0, shown).map(({ v, i }) => `${names[i]}=${num(v)}`).join(' ');
        io.out(`${pad(String(index), 6)}${pad(a.output.slice(0, 23), 24)}${pad(num(a.baseValue), 11, true)}${pad(num(a.prediction), 11, true)}  ${cells}\n`);
      }
      pending = [];
    };
    let lastBar = 0;
    for await (const record of readReferenceFile(file, (bytes, total) => {
      if (!o.progress) return;
      const now = Date.now();
      if (now - lastBar > 100 || bytes === total) {
        lastBar = now;
        io.err(bar(bytes, total));
      }
    })) {
      pending.push(Object.fromEntries(names.map((n) => [n, record[n] ?? null])));
      if (pending.length >= BATCH) await flush();
    }
    await flush();
    if (o.progress) io.err('\n');
    if (index === 0) throw new Error(`${o.data}: no rows`);
    io.err(`${index} rows explained (${prepared.choice.method})\n`);
    return 0;
  } finally {
    await server.stop();
  }
}
