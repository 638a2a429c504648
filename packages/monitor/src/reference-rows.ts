import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';

/** One row of a reference file: column name → value (numbers as numbers, empty cells as null). */
export type ReferenceRecord = Record<string, unknown>;

/**
 * Reads a reference data file — CSV with a header row, or JSON lines (one
 * object per line, by the `.jsonl`/`.ndjson` extension) — calling
 * `onProgress` with the bytes read so far.
 */
export async function* readReferenceFile(file: string, onProgress?: (bytes: number, total: number) => void): AsyncGenerator<ReferenceRecord> {
  let total: number;
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) throw new Error(`${file}: a directory, not a CSV or JSON lines file`);
    total = stat.size;
  } catch (e) {
    throw (e as NodeJS.ErrnoException).code === 'ENOENT' ? new Error(`${file}: no such file`) : e;
  }
  const stream = createReadStream(file);
  let bytes = 0;
  stream.on('data', (chunk) => {
    bytes += chunk.length;
    onProgress?.(bytes, total);
  });
  if (/\.(jsonl|ndjson)$/i.test(file)) {
    let line = 0;
    for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
      line++;
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new Error(`${file}:${line}: not a JSON object`);
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${file}:${line}: not a JSON object`);
      yield value as ReferenceRecord;
    }
    return;
  }
  const parser = stream.pipe(parse({
    columns: true,
    skip_empty_lines: true,
    trim: true,
    // Numbers as numbers, empty cells as missing, anything else as text (categories).
    cast: (value) => (value === '' ? null : /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value) ? Number(value) : value),
  }));
  // pipe() does not forward the file's errors: without this, a read error is an unhandled 'error' event.
  stream.on('error', (e) => parser.destroy(e));
  try {
    for await (const record of parser) yield record as ReferenceRecord;
  } catch (e) {
    throw new Error(`${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
