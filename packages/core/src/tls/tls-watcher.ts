import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';
import { readTlsMaterial, type TlsFiles, type TlsMaterial } from './tls-material.js';

export interface TlsWatcherOptions {
  /** How often file metadata is compared, for file systems where `fs.watch` misses changes. Default 10 s. */
  pollMs?: number;
  /** How long to wait after a change before reading, so a certificate and key written one after the other are read together. Default 250 ms. */
  settleMs?: number;
}

/**
 * Keeps a listener's certificate, key and CA bundle current without a
 * restart: watches their folders (`fs.watch`, which also sees the symlink swap
 * of a mounted Kubernetes secret) and compares their metadata on a timer as a
 * fallback; on a change it reads and checks the set again and hands a good one
 * to `apply`. A bad set — a rotation caught halfway, a key that does not match —
 * keeps the current one and is logged as a warning once.
 *
 * @example
 * ```ts
 * const watcher = new TlsWatcher(files, logger, (m) => server.setSecureContext(secureContextOptions(m)));
 * const first = await watcher.start(); // throws PONTE_CONFIG_INVALID for a bad set
 * ```
 */
export class TlsWatcher {
  private material: TlsMaterial | undefined;
  private watchers: FSWatcher[] = [];
  private poll: NodeJS.Timeout | undefined;
  private settle: NodeJS.Timeout | undefined;
  private reloading: Promise<void> | undefined;
  private again = false;
  private stamp = '';
  private lastRefused = '';
  private stopped = false;
  private readonly pollMs: number;
  private readonly settleMs: number;

  constructor(
    readonly files: TlsFiles,
    private readonly logger: Logger,
    private readonly apply: (material: TlsMaterial) => void,
    options: TlsWatcherOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 10_000;
    this.settleMs = options.settleMs ?? 250;
  }

  /** The set in use. */
  get current(): TlsMaterial {
    if (this.material === undefined) throw new Error('TlsWatcher not started');
    return this.material;
  }

  /** Reads and checks the files (throws `PONTE_CONFIG_INVALID` naming the file), then starts watching them. */
  async start(): Promise<TlsMaterial> {
    this.stamp = await this.stampOf();
    this.material = await readTlsMaterial(this.files);
    const paths = this.paths();
    const names = new Set(paths.map((p) => basename(p)));
    for (const dir of new Set(paths.map((p) => dirname(p)))) {
      try {
        const w = watch(dir, { persistent: false }, (_event, name) => {
          // A mounted secret changes through `..data` symlinks: any change of unknown name in the folder may be ours.
          if (name === null || names.has(name.toString()) || name.toString().startsWith('..')) this.schedule();
        });
        w.on('error', (e) => {
          this.logger.warn({ dir, err: e }, 'TLS file watch failed; checking the files on a timer only');
          w.close();
        });
        this.watchers.push(w);
      } catch (e) {
        this.logger.warn({ dir, err: e }, 'TLS file watch unavailable; checking the files on a timer only');
      }
    }
    this.poll = setInterval(() => {
      void this.stampOf().then((s) => {
        if (s !== this.stamp) this.schedule();
      });
    }, this.pollMs);
    this.poll.unref();
    return this.material;
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.watchers) w.close();
    this.watchers = [];
    if (this.poll !== undefined) clearInterval(this.poll);
    if (this.settle !== undefined) clearTimeout(this.settle);
  }

  /** Checks the files now (a change was seen); resolves once done. */
  reload(): Promise<void> {
    if (this.reloading !== undefined) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = this.doReload().finally(() => {
      this.reloading = undefined;
      if (this.again && !this.stopped) {
        this.again = false;
        void this.reload();
      }
    });
    return this.reloading;
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.settle !== undefined) clearTimeout(this.settle);
    this.settle = setTimeout(() => {
      this.settle = undefined;
      void this.reload();
    }, this.settleMs);
    this.settle.unref();
  }

  private async doReload(): Promise<void> {
    if (this.stopped) return;
    this.stamp = await this.stampOf();
    let next: TlsMaterial;
    try {
      next = await readTlsMaterial(this.files);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      // One warning per distinct problem: the timer would otherwise repeat it for as long as the files stay bad.
      if (message !== this.lastRefused) this.logger.warn({ reason: message, fingerprint256: this.material?.fingerprint256 }, 'new TLS files refused; keeping the current certificate');
      this.lastRefused = message;
      return;
    }
    this.lastRefused = '';
    if (this.stopped || next.digest === this.material?.digest) return;
    try {
      this.apply(next);
    } catch (e) {
      this.logger.warn({ err: e, fingerprint256: this.material?.fingerprint256 }, 'new TLS files refused; keeping the current certificate');
      return;
    }
    this.material = next;
    this.logger.info({ where: this.files.where, subject: next.subject, fingerprint256: next.fingerprint256, validTo: next.validTo }, 'TLS certificate reloaded');
  }

  private paths(): string[] {
    return this.files.ca === undefined ? [this.files.cert, this.files.key] : [this.files.cert, this.files.key, this.files.ca];
  }

  /** Size, modification time and inode of each file (following symlinks), as one string. */
  private async stampOf(): Promise<string> {
    const parts = await Promise.all(this.paths().map(async (p) => {
      try {
        const s = await stat(p);
        return `${s.ino}:${s.size}:${s.mtimeMs}`;
      } catch {
        return 'missing';
      }
    }));
    return parts.join('|');
  }
}
