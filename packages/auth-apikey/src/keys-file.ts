import { watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Logger } from '@ponte/core';
import { parse } from 'yaml';
import { loadKeyEntries, type LoadedKey } from './key-entries.js';

/** How long after a change event the file is read: an editor's save is often several events. */
const SETTLE_MS = 50;

/**
 * The keys file, watched: every change that leaves a valid list replaces the
 * keys (`onKeys`); a file that is missing, mid-write or invalid keeps the
 * previous good set and logs a warning once per version of the file. Change
 * events come from `fs.watch` on the file's folder (which also sees a file
 * replaced by rename), and a `stat` every `pollMs` catches what it misses
 * (network file systems, some container mounts).
 */
export class KeysFile {
  private watcher: FSWatcher | undefined;
  private poll: NodeJS.Timeout | undefined;
  private settle: NodeJS.Timeout | undefined;
  private lastText: string | undefined;
  private lastBadText: string | undefined;
  private lastStat = '';
  private reading = false;
  private again = false;
  private stopped = false;

  /**
   * @param file absolute path
   * @param shown the path as written in config, for messages
   */
  constructor(
    private readonly file: string,
    private readonly shown: string,
    private readonly pollMs: number,
    private readonly onKeys: (keys: LoadedKey[]) => void,
    private readonly logger: Logger,
  ) {}

  /** Reads the file (a missing or invalid file is an error here: nothing good to keep yet), then watches it. */
  async start(): Promise<void> {
    let text: string;
    try {
      this.lastStat = await this.signature();
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      throw new Error(`keysFile ${this.shown}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const { keys, errors } = this.parse(text);
    if (errors.length > 0) throw new Error(`keysFile ${this.shown}: ${errors.join('; ')}`);
    this.lastText = text;
    this.onKeys(keys);
    this.logger.info({ keysFile: this.shown, keys: keys.length }, 'API keys loaded');
    try {
      const name = basename(this.file);
      this.watcher = watch(dirname(this.file), { persistent: false }, (_event, changed) => {
        // Another name can still be ours: Kubernetes swaps a mounted ConfigMap through a `..data` symlink.
        if (changed === null || changed === name) this.schedule();
        else void this.pollOnce();
      });
      this.watcher.on('error', (e) => this.logger.warn({ keysFile: this.shown, err: e }, 'watching the keys file failed; polling it'));
    } catch (e) {
      this.logger.warn({ keysFile: this.shown, err: e }, 'cannot watch the keys file; polling it');
    }
    this.poll = setInterval(() => { void this.pollOnce(); }, this.pollMs);
    this.poll.unref();
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.close();
    this.watcher = undefined;
    if (this.poll !== undefined) clearInterval(this.poll);
    if (this.settle !== undefined) clearTimeout(this.settle);
  }

  private async signature(): Promise<string> {
    const s = await stat(this.file);
    return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
  }

  private async pollOnce(): Promise<void> {
    let sig: string;
    try {
      sig = await this.signature();
    } catch {
      sig = 'missing';
    }
    if (sig !== this.lastStat) this.schedule();
  }

  private schedule(): void {
    if (this.stopped || this.settle !== undefined) return;
    this.settle = setTimeout(() => {
      this.settle = undefined;
      void this.reload();
    }, SETTLE_MS);
    this.settle.unref();
  }

  private async reload(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    try {
      let text: string;
      try {
        this.lastStat = await this.signature();
        text = await readFile(this.file, 'utf8');
      } catch (e) {
        this.lastStat = 'missing';
        if (this.lastBadText !== '\0missing') this.logger.warn({ keysFile: this.shown, code: (e as NodeJS.ErrnoException).code }, 'keys file cannot be read; keeping the previous keys');
        this.lastBadText = '\0missing';
        return;
      }
      if (this.stopped || text === this.lastText) return;
      const { keys, errors } = this.parse(text);
      if (errors.length > 0) {
        if (text !== this.lastBadText) this.logger.warn({ keysFile: this.shown, errors }, 'keys file is invalid; keeping the previous keys');
        this.lastBadText = text;
        return;
      }
      this.lastText = text;
      this.lastBadText = undefined;
      this.onKeys(keys);
      this.logger.info({ keysFile: this.shown, keys: keys.length }, 'API keys reloaded');
    } finally {
      this.reading = false;
      if (this.again) {
        this.again = false;
        this.schedule();
      }
    }
  }

  /** The entries of a file's text: a YAML or JSON list, or an object whose `keys` is one. */
  private parse(text: string): { keys: LoadedKey[]; errors: string[] } {
    let doc: unknown;
    try {
      doc = parse(text);
    } catch (e) {
      // The parser's message quotes the text around the error, which may be a hash: only its position.
      const pos = (e as { linePos?: Array<{ line: number; col: number }> }).linePos?.[0];
      return { keys: [], errors: [`${this.shown}: not valid YAML or JSON${pos ? ` (line ${pos.line}, column ${pos.col})` : ''}`] };
    }
    if (doc !== null && typeof doc === 'object' && !Array.isArray(doc) && 'keys' in doc) return loadKeyEntries((doc as { keys: unknown }).keys, `${this.shown}.keys`);
    return loadKeyEntries(doc, this.shown);
  }
}
