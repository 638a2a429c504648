import type { Progress } from './scaffold.js';

/** Progress as plain lines, for logs and scripts: `… step` then `✔ result`. */
export function linesProgress(write: (s: string) => void): Progress {
  return {
    start: (step) => write(`… ${step}\n`),
    done: (result) => write(`✔ ${result}\n`),
    warn: (message) => write(`! ${message}\n`),
  };
}

/** Progress on a terminal: a spinner per step, its result left on screen. */
export async function spinnerProgress(): Promise<Progress> {
  const { spinner, log } = await import('@clack/prompts');
  let current: ReturnType<typeof spinner> | undefined;
  return {
    start(step) {
      current = spinner();
      current.start(step);
    },
    done(result) {
      current?.stop(result);
      current = undefined;
    },
    warn(message) {
      if (current !== undefined) current.error(message);
      else log.warn(message);
      current = undefined;
    },
  };
}
