const SECRET_KEY = /(secret|password|passwd|token|api[-_]?key|apikey|credential|private[-_]?key|authorization|cookie|^keys?$)/i;

export const REDACTED = '[REDACTED]';

/** `scheme://user:password@host…`: the password part of a URL (a database connection string). */
const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)[^@/?#\s]+@/i;

/**
 * A copy of `config` safe to print or log: values of secret-looking keys and
 * every value that came from `${env:}`/`${file:}` are replaced by `[REDACTED]`,
 * and the password of any URL written in the file (`postgres://user:pw@host`)
 * is masked.
 */
export function redactConfig(config: unknown, secretPaths: ReadonlySet<string> = new Set()): unknown {
  const walk = (node: unknown, path: string, secretKey: boolean): unknown => {
    if (secretPaths.has(path) || (secretKey && (typeof node === 'string' || typeof node === 'number'))) return REDACTED;
    if (Array.isArray(node)) return node.map((v, i) => walk(v, `${path}[${i}]`, secretKey));
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) out[k] = walk(v, path === '' ? k : `${path}.${k}`, SECRET_KEY.test(k));
      return out;
    }
    if (typeof node === 'string' && URL_PASSWORD.test(node)) return node.replace(URL_PASSWORD, `$1${REDACTED}@`);
    return node;
  };
  return walk(config, '', false);
}
