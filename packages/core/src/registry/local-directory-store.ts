import { watch as watchDir } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelStore } from '../model-store.js';

const VERSION_DIR = /^[0-9]+$/;

/**
 * The `file` model store: a model source is a local folder whose numbered
 * sub-folders are its versions, served in place.
 *
 * @example
 * ```ts
 * await new LocalDirectoryStore().list('/models/purchase'); // ['1', '2']
 * ```
 */
export class LocalDirectoryStore implements ModelStore {
  readonly scheme = 'file';

  async list(source: string): Promise<string[]> {
    const names = await readdir(source);
    const dirs = await Promise.all(names.filter((n) => VERSION_DIR.test(n)).map(async (n) => ((await stat(join(source, n))).isDirectory() ? n : undefined)));
    return dirs.filter((n): n is string => n !== undefined);
  }

  fetch(source: string, version: string): Promise<string> {
    return Promise.resolve(join(source, version));
  }

  watch(source: string, onChange: () => void): () => void {
    const w = watchDir(source, () => onChange());
    return () => w.close();
  }
}
