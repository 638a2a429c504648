import { isAbsolute, resolve } from 'node:path';
import { pino } from 'pino';
import { inject, injectable } from 'tsyringe';
import { ConfigError } from './config/config-loader.js';
import type { AuditConfig, PonteConfig } from './config/config-types.js';
import type { Action } from './extension-points.js';
import type { Protocol } from './inference.js';
import type { ServerInfo } from './server-info.js';
import { Tokens } from './tokens.js';

/** Where a request came from, as every audit line names it. */
export interface AuditRequest {
  requestId: string;
  protocol: Protocol;
  /** Route name (`infer`, `model_metadata`, a plugin's route). */
  endpoint: string;
  /** The caller's address, when the protocol knows it. */
  remoteAddress?: string;
}

/**
 * A request the gate turned away: 401 (no or bad credentials) or 403 (a
 * principal without the right). Carries the reason the caller was given,
 * never the credential.
 */
export interface AuditRefusal extends AuditRequest {
  status: 401 | 403;
  /** `PONTE_UNAUTHENTICATED` or `PONTE_FORBIDDEN`. */
  code: string;
  /** The error message the caller got (never holds a credential: PonteError messages reach clients). */
  reason: string;
  action: Action;
  model?: string;
  /** Who was refused (403 only: a 401 has no principal). */
  principal?: string;
}

/** An `admin` action: who did what to which model, and how it ended. */
export interface AuditAdminAction extends Partial<AuditRequest> {
  principal: string;
  /** What was done: the route name, or a plugin's own word (`model.unload`). */
  action: string;
  model?: string;
  version?: string;
  /** `ok`, or the error code the action ended with. */
  outcome: string;
  status?: number;
}

/**
 * The audit log, registered under `Tokens.AuditLog`: authentication failures,
 * authorisation refusals and admin actions as JSON lines on a destination of
 * their own (`server.audit`). Core writes refusals from the gate and every
 * request to an `admin` route; plugins with admin work of their own (a
 * management API, key rotation) write theirs here too. Off unless configured:
 * then every call is a no-op.
 *
 * @example
 * ```ts
 * ctx.later(Tokens.AuditLog)().admin({ principal: p.id, action: 'model.unload', model: 'purchase', outcome: 'ok' });
 * ```
 */
export interface AuditLog {
  readonly enabled: boolean;
  /** A 401 or 403; at most `maxPerSecond` lines per second per reason, the rest counted. */
  refused(entry: AuditRefusal): void;
  /** An admin action; always written. */
  admin(entry: AuditAdminAction): void;
  /** Closes the destination (files); further calls are dropped. */
  close(): void;
}

/** Fields an audit line may never carry, whatever a plugin passes: censored. */
const NEVER_LOGGED = new Set(['headers', 'authorization', 'credential', 'credentials', 'token', 'apiKey', 'password', 'secret', 'cookie']);

/** pino's destination (sonic-boom), of which the audit log needs this much. */
interface Destination {
  readonly fd?: number;
  write(line: string): boolean;
  flushSync(): void;
  end(): void;
}

/** Distinct refusal reasons tracked one by one; beyond, reasons share their code's budget (a flood of distinct messages cannot grow memory). */
const MAX_REASONS = 256;

interface ReasonBudget {
  status: number;
  windowStart: number;
  written: number;
  suppressed: number;
  timer?: NodeJS.Timeout | undefined;
}

/**
 * The audit log as JSON lines (`time` first, ISO 8601) through pino's
 * destination, to a file opened for appending, stderr or stdout. Lines are
 * written synchronously: they are few (refusals are rate-limited) and an
 * audit line must not sit in a buffer when the process dies.
 */
@injectable()
export class JsonLinesAuditLog implements AuditLog {
  readonly enabled: boolean;
  private readonly out: Destination | undefined;
  private readonly maxPerSecond: number;
  private readonly budgets = new Map<string, ReasonBudget>();
  private closed = false;

  constructor(@inject(Tokens.Config) config: PonteConfig, @inject(Tokens.ServerInfo) info: ServerInfo) {
    const settings: AuditConfig | undefined = config.server.audit;
    this.enabled = settings !== undefined;
    this.maxPerSecond = settings?.maxPerSecond ?? 10;
    if (settings === undefined) return;
    this.out = openDestination(settings.path, info.baseDir);
  }

  refused(entry: AuditRefusal): void {
    if (this.out === undefined || this.closed) return;
    const key = this.budgets.size < MAX_REASONS || this.budgets.has(`${entry.code} ${entry.reason}`) ? `${entry.code} ${entry.reason}` : entry.code;
    let budget = this.budgets.get(key);
    const now = Date.now();
    if (budget === undefined) {
      budget = { status: entry.status, windowStart: now, written: 0, suppressed: 0 };
      this.budgets.set(key, budget);
    } else if (now - budget.windowStart >= 1000) {
      budget.windowStart = now;
      budget.written = 0;
    }
    if (budget.written >= this.maxPerSecond) {
      budget.suppressed++;
      // Counts must not wait for a next refusal that may never come: reported once the window ends.
      budget.timer ??= setTimeout(() => this.reportSuppressed(key), budget.windowStart + 1000 - now).unref();
      return;
    }
    budget.written++;
    const line: Record<string, unknown> = { event: entry.status === 401 ? 'unauthenticated' : 'forbidden', ...entry };
    if (budget.suppressed > 0) {
      line['suppressed'] = budget.suppressed;
      budget.suppressed = 0;
    }
    this.write(line);
  }

  admin(entry: AuditAdminAction): void {
    if (this.out === undefined || this.closed) return;
    this.write({ event: 'admin', ...entry });
  }

  close(): void {
    if (this.closed) return;
    for (const key of this.budgets.keys()) this.reportSuppressed(key);
    this.closed = true;
    const d = this.out;
    if (d === undefined) return;
    try {
      d.flushSync();
      // Standard streams stay open: the rest of the process writes to them too.
      if (d.fd !== 1 && d.fd !== 2) d.end();
    } catch {
      // already closed
    }
  }

  /** Writes the count of refusals a reason's budget held back, if any. */
  private reportSuppressed(key: string): void {
    const budget = this.budgets.get(key);
    if (budget === undefined) return;
    if (budget.timer !== undefined) clearTimeout(budget.timer);
    budget.timer = undefined;
    if (budget.suppressed === 0 || this.out === undefined || this.closed) return;
    const [code, ...reason] = key.split(' ');
    this.write({ event: 'suppressed', code, ...(reason.length > 0 ? { reason: reason.join(' ') } : {}), status: budget.status, suppressed: budget.suppressed });
    budget.suppressed = 0;
  }

  private write(fields: Record<string, unknown>): void {
    let line = `{"time":"${new Date().toISOString()}"`;
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined) continue;
      line += `,${JSON.stringify(k)}:${NEVER_LOGGED.has(k) ? '"[REDACTED]"' : JSON.stringify(v)}`;
    }
    try {
      this.out!.write(`${line}}\n`);
    } catch {
      // A full disk must not fail the request being refused.
    }
  }
}

/** The audit destination: a file (relative to the config's folder, appended to), stderr or stdout. */
function openDestination(path: string, baseDir: string): Destination {
  if (path === 'stdout') return pino.destination({ dest: 1, sync: true });
  if (path === 'stderr') return pino.destination({ dest: 2, sync: true });
  const file = isAbsolute(path) ? path : resolve(baseDir, path);
  try {
    return pino.destination({ dest: file, append: true, mkdir: true, sync: true });
  } catch (e) {
    throw new ConfigError([`server.audit.path: cannot open ${file} for appending (${e instanceof Error ? e.message : String(e)})`]);
  }
}
