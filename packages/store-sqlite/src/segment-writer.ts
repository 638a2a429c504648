import { Worker } from 'node:worker_threads';
import type { PredictionSegment } from '@ponte/core';

/** How the writer thread opens the file: as the store's own connection does. */
export interface WriterOptions {
  readonly file: string;
  readonly busyTimeoutMs: number;
  readonly synchronous: 'full' | 'normal';
}

/** A message to the writer thread. */
export type WriterRequest = { readonly type: 'append'; readonly id: number; readonly segments: readonly PredictionSegment[] } | { readonly type: 'close' };

/** The writer thread's answer to one append. */
export type WriterReply = { readonly id: number; readonly ok: true } | { readonly id: number; readonly ok: false; readonly message: string; readonly code?: string };

/**
 * Appends segments from a worker thread with its own connection. better-sqlite3
 * is synchronous: on the event loop, each commit's fsync (`synchronous=FULL`)
 * held the server for its whole duration (1–2 ms per batch on the build VM,
 * under load). Encoding stays on the caller's thread (the records are objects
 * there; cloning them would cost more than encoding); the bytes are
 * transferred, not copied. A thread that dies fails what it held and is
 * started again on the next append.
 *
 * @example
 * ```ts
 * const writer = new SegmentWriter({ file: 'data/ponte.db', busyTimeoutMs: 5000, synchronous: 'full' });
 * await writer.append(toSegments(records));
 * await writer.close();
 * ```
 */
export class SegmentWriter {
  #worker: Worker | undefined;
  #next = 1;
  readonly #pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  readonly #inFlight = new Set<Promise<void>>();

  constructor(private readonly options: WriterOptions) {}

  append(segments: readonly PredictionSegment[]): Promise<void> {
    const worker = this.#worker ?? this.#start();
    const id = this.#next++;
    // Referenced while it holds appends (a script awaiting one must not exit under it), not while idle.
    if (this.#pending.size === 0) worker.ref();
    const done = new Promise<void>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      const request: WriterRequest = { type: 'append', id, segments };
      worker.postMessage(request, segments.map((s) => s.bytes.buffer as ArrayBuffer));
    });
    this.#inFlight.add(done);
    const forget = (): void => { this.#inFlight.delete(done); };
    done.then(forget, forget);
    return done;
  }

  /** Waits for the appends in flight, then closes the thread's connection and ends it. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
    const worker = this.#worker;
    if (worker === undefined) return;
    this.#worker = undefined;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.ref();
    const request: WriterRequest = { type: 'close' };
    worker.postMessage(request);
    await exited;
  }

  #start(): Worker {
    const worker = new Worker(new URL('./writer-worker.js', import.meta.url), { workerData: this.options });
    worker.on('message', (reply: WriterReply) => {
      const p = this.#pending.get(reply.id);
      if (p === undefined) return;
      this.#pending.delete(reply.id);
      if (this.#pending.size === 0) worker.unref();
      if (reply.ok) p.resolve();
      else p.reject(Object.assign(new Error(reply.message), reply.code !== undefined ? { code: reply.code } : {}));
    });
    const fail = (e: Error): void => {
      if (this.#worker === worker) this.#worker = undefined;
      for (const p of this.#pending.values()) p.reject(e);
      this.#pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the SQLite writer thread exited (code ${code})`)));
    this.#worker = worker;
    return worker;
  }
}
