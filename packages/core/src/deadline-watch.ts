import { PonteError } from './errors.js';

interface Watched {
  deadline: number;
  reject(e: PonteError): void;
}

const SWEEP_MS = 100;
/** Deadlines closer than this get their own timer; later ones share the sweep. */
const PRECISE_WITHIN_MS = 1000;

/**
 * Makes a run fail with PONTE_DEADLINE_EXCEEDED when its deadline passes
 * before it settles. Every request carries a deadline (the server default is
 * 30 s), and a timer per request costs more than a small model's inference;
 * so near deadlines (callers asking for tens of milliseconds) get a precise
 * timer of their own and far ones are checked by one sweep every 100 ms.
 * The run itself goes on (a batch serves others) and its result is dropped.
 */
export class DeadlineWatch {
  private readonly watched = new Set<Watched>();
  private sweeper: NodeJS.Timeout | undefined;

  race<T>(run: Promise<T>, deadline: number | undefined): Promise<T> {
    if (deadline === undefined) return run;
    // A failure that arrives after the deadline answered must not become an unhandled rejection.
    run.catch(() => undefined);
    const remaining = deadline - performance.now();
    if (remaining < PRECISE_WITHIN_MS) {
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(exceeded()), Math.max(0, remaining));
      });
      return Promise.race([run, expired]).finally(() => clearTimeout(timer));
    }
    return new Promise<T>((resolve, reject) => {
      const w: Watched = { deadline, reject };
      this.watched.add(w);
      this.sweeper ??= setInterval(() => this.sweep(), SWEEP_MS).unref();
      run.then(
        (v) => { this.watched.delete(w); resolve(v); },
        (e: unknown) => { this.watched.delete(w); reject(e); },
      );
    });
  }

  private sweep(): void {
    if (this.watched.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
      return;
    }
    const now = performance.now();
    for (const w of this.watched) {
      if (now > w.deadline) {
        this.watched.delete(w);
        w.reject(exceeded());
      }
    }
  }
}

function exceeded(): PonteError {
  return new PonteError('PONTE_DEADLINE_EXCEEDED', 'request deadline passed while the model was running');
}
