import { join } from 'node:path';
import type { ApiFlavour } from './golden.js';
import { freePort } from './free-port.js';
import { startPinned, waitForHttpOk, type ManagedProcess, type ServerSpec } from './processes.js';

/** The CPU every server is pinned to; wrk (and the bench itself) use the other one. */
export const SERVER_CPU = 0;
/** The CPU of wrk and of the bench's own process. */
export const LOAD_CPU = 1;

/** A server in a load table: how to start it, ask it, and check it. */
export interface Contender {
  /** Stable key, e.g. `ponte-oip-on`, `naive`, `hello`, `flask`. */
  key: string;
  label: string;
  model: string;
  api: ApiFlavour;
  /** False for the HTTP floor, which answers a constant. */
  checkGolden: boolean;
  /** GET path answering 200 once the server can take requests. */
  readyPath: string;
  /** How long start-up may take (Python imports scikit-learn; Ponte loads four models). */
  readyTimeoutMs: number;
  /** The start command for a given port; `tmp` is the run's scratch folder. */
  spec(port: number, tmp: string): Omit<ServerSpec, 'cpu' | 'logFile' | 'name'>;
  /** Set when the contender cannot run here (the row says why). */
  skip?: string;
  /** True for Ponte's own rows (the report reads facts from their logs). */
  ponte: boolean;
}

/** A contender started and answering. */
export interface Launched {
  proc: ManagedProcess;
  baseUrl: string;
  /** Milliseconds from spawn to the first 200 on `readyPath`. */
  readyMs: number;
}

let launches = 0;

/**
 * Starts a contender pinned to SERVER_CPU on a free port and waits until it
 * is ready. On failure the process is stopped and the error says why (with
 * the end of its log).
 */
export async function launch(c: Contender, tmp: string): Promise<Launched> {
  const port = await freePort();
  const base = c.spec(port, tmp);
  const logFile = join(tmp, `${++launches}-${c.key}-${c.model}.log`);
  const t0 = performance.now();
  const proc = startPinned({ ...base, name: `${c.label} (${c.model})`, cpu: SERVER_CPU, logFile });
  try {
    const baseUrl = `http://127.0.0.1:${port}`;
    const readyMs = await waitForHttpOk(baseUrl + c.readyPath, proc, c.readyTimeoutMs, t0);
    return { proc, baseUrl, readyMs };
  } catch (e) {
    await proc.stop();
    throw e;
  }
}
