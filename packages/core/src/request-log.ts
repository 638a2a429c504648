import { pino, type Logger } from 'pino';
import { QuotedStrings } from './quoted-strings.js';

/** One request-log line: what every request of every protocol logs when `logging.requests` is on. */
export interface RequestLogEntry {
  requestId: string;
  /** Left out for REST, the default protocol. */
  protocol?: string | undefined;
  method: string;
  path?: string | undefined;
  status: number;
  /** Error code, or `OK` where the protocol logs one for successes (gRPC). */
  code?: string | undefined;
  ms: number;
  model?: string | undefined;
  version?: string | undefined;
}

type Stream = { write(line: string): unknown; flushSync?: () => void };

/** The destination stream a pino logger writes to (pino keeps it behind a symbol). */
export function destinationOf(logger: Logger): Stream | undefined {
  return (logger as unknown as Record<symbol, Stream | undefined>)[pino.symbols.streamSym];
}

/**
 * Writes request-log lines in the same JSON shape pino gives every other line
 * (level, time, service, pid, fields, msg), straight into pino's own
 * destination. pino's general path (serializers, redaction, hooks) costs a
 * few microseconds per line, which at tens of thousands of requests a second
 * is a tenth of the CPU; these lines have fixed fields that need none of it.
 */
export function requestLogger(logger: Logger): (entry: RequestLogEntry) => void {
  const stream = destinationOf(logger);
  if (stream === undefined || typeof stream.write !== 'function') return (e) => logger.info(e, 'request');
  const prefix = `{"level":"info","time":"`;
  const middle = `","service":"ponte","pid":${process.pid},"requestId":`;
  // Under load many lines share a millisecond, a path, a model: format each once.
  const lines = batchFor(stream);
  let lastMs = -1;
  let lastTime = '';
  const quoted = new QuotedStrings();
  return (e) => {
    if (!logger.isLevelEnabled('info')) return;
    const now = Date.now();
    if (now !== lastMs) {
      lastMs = now;
      lastTime = new Date(now).toISOString();
    }
    let line = `${prefix}${lastTime}${middle}${SAFE_ID.test(e.requestId) ? `"${e.requestId}"` : JSON.stringify(e.requestId)}`;
    if (e.protocol !== undefined) line += `,"protocol":${quoted.get(e.protocol)}`;
    line += `,"method":${quoted.get(e.method)}`;
    if (e.path !== undefined) line += `,"path":${quoted.get(e.path)}`;
    line += `,"status":${e.status}`;
    if (e.code !== undefined) line += `,"code":${quoted.get(e.code)}`;
    line += `,"ms":${e.ms}`;
    if (e.model !== undefined) line += `,"model":${quoted.get(e.model)}`;
    if (e.version !== undefined) line += `,"version":${quoted.get(e.version)}`;
    lines.add(`${line},"msg":"request"}\n`);
  };
}

/**
 * Request lines of one event-loop turn, handed to the destination as one
 * write. sonic-boom (pino's destination) measures the UTF-8 length of its
 * whole pending chunk on every write, so many small writes cost more than the
 * lines themselves; one write per turn (or per 16 KiB) avoids that. Lines of a
 * turn may land after another log line of the same turn; each carries its time.
 */
class LineBatch {
  private pending = '';
  private scheduled = false;
  private readonly flushSoon = (): void => {
    this.scheduled = false;
    this.flush();
  };

  constructor(private readonly stream: Stream) {}

  add(line: string): void {
    this.pending += line;
    if (this.pending.length >= 16384) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushSoon);
    }
  }

  flush(): void {
    if (this.pending === '') return;
    const chunk = this.pending;
    this.pending = '';
    this.stream.write(chunk);
  }
}

const batches = new WeakMap<object, LineBatch>();

function batchFor(stream: Stream): LineBatch {
  let b = batches.get(stream);
  if (b === undefined) {
    b = new LineBatch(stream);
    batches.set(stream, b);
  }
  return b;
}

/** Hands request lines still waiting for the end of this event-loop turn to the logger's destination. */
export function flushRequestLines(logger: Logger): void {
  const stream = destinationOf(logger);
  if (stream !== undefined) batches.get(stream)?.flush();
}

/** Request ids that need no JSON escaping (generated UUIDs and most caller ids). */
const SAFE_ID = /^[\w.:-]{1,128}$/;
