import { inspect } from 'node:util';

/** What stands in for a password in messages. */
const MASK = '***';

/** The password a connection string carries, if any, read as pg reads it (a URL, relative ones against `postgres://base`). */
function passwordOf(connectionString: string): string | undefined {
  try {
    const password = new URL(connectionString, 'postgres://base').password;
    return password === '' ? undefined : decodeURIComponent(password);
  } catch {
    return undefined;
  }
}

/**
 * The connection string with its password masked, for messages:
 * `postgres://app:***@db:5432/ponte`. Never log the string itself.
 *
 * @example
 * ```ts
 * redactConnectionString('postgres://app:s3cret@db/ponte'); // 'postgres://app:***@db/ponte'
 * ```
 */
export function redactConnectionString(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') throw new TypeError('not a postgres URL');
    if (url.password !== '') url.password = MASK;
    for (const key of [...url.searchParams.keys()]) if (/pass/i.test(key)) url.searchParams.set(key, MASK);
    return url.toString();
  } catch {
    // A socket path or a typo: whatever it holds stays out of messages.
    return '(a connection string that is not a postgres:// URL)';
  }
}

/**
 * Makes errors safe to throw and log for one connection string: the password
 * (raw or URL-encoded) and the whole string are masked in messages, and a
 * cause that mentions either anywhere (Node's URL errors keep their `input`)
 * is replaced by a copy with its message, name and code only.
 *
 * @example
 * ```ts
 * const scrub = secretScrubber(options.connectionString);
 * throw new Error(`cannot connect: ${scrub.text(e.message)}`, { cause: scrub.error(e) });
 * ```
 */
export function secretScrubber(connectionString: string): { text(s: string): string; error(e: unknown): unknown } {
  const password = passwordOf(connectionString);
  const secrets = [connectionString, ...(password !== undefined && password.length > 0 ? [password, encodeURIComponent(password)] : [])];
  const redacted = redactConnectionString(connectionString);
  const text = (s: string): string => {
    let out = s.split(connectionString).join(redacted);
    for (const secret of secrets.slice(1)) out = out.split(secret).join(MASK);
    return out;
  };
  const error = (e: unknown): unknown => {
    const dump = inspect(e, { depth: 6, showHidden: false });
    if (!secrets.some((s) => dump.includes(s))) return e;
    const source = e as { name?: unknown; message?: unknown; code?: unknown };
    const copy = new Error(text(String(source.message ?? e)));
    if (typeof source.name === 'string') copy.name = source.name;
    if (typeof source.code === 'string') Object.assign(copy, { code: source.code });
    return copy;
  };
  return { text, error };
}

/** A one-line description of what went wrong, also for errors with an empty message (Node's AggregateError from a refused dual-stack connect). */
export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  if (e.message !== '') return e.message;
  const nested = (e as { errors?: unknown }).errors;
  if (Array.isArray(nested) && nested.length > 0) return nested.map(describeError).join('; ');
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? code : e.name;
}
