import type { PeerCertificate } from '@ponte/core';

/** Subject attributes as a mapping names them: every one listed must match. */
export type SubjectPattern = Readonly<Record<string, string>>;

/** Attribute/value pairs of a distinguished name, in order. */
export type DnPairs = ReadonlyArray<readonly [string, string]>;

/**
 * Parses a distinguished name as RFC 4514 writes it (`CN=svc-a,O=Acme`, `\,`
 * escapes a comma in a value); spaces around `,` and `=` are ignored, so
 * OpenSSL's `CN = svc-a, O = Acme` reads the same. Throws on a part without `=`.
 *
 * @example
 * ```ts
 * parseDn('CN=svc-a,O=Acme\\, Inc'); // [['CN', 'svc-a'], ['O', 'Acme, Inc']]
 * ```
 */
export function parseDn(dn: string): DnPairs {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i]!;
    if (c === '\\' && i + 1 < dn.length) {
      cur += c + dn[++i]!;
    } else if (c === ',' || c === '+') {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts.map((part) => {
    const eq = unescapedIndex(part, '=');
    if (eq < 0) throw new Error(`"${part.trim()}" is not ATTRIBUTE=value`);
    const name = part.slice(0, eq).trim();
    const value = unescape(part.slice(eq + 1).trim());
    if (name === '') throw new Error(`"${part.trim()}" has no attribute name`);
    return [name, value] as const;
  });
}

function unescapedIndex(s: string, ch: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === ch) return i;
  }
  return -1;
}

function unescape(v: string): string {
  return v.replace(/\\(.)/g, '$1');
}

function valuesOf(subject: PeerCertificate['subject'], name: string): readonly string[] {
  const v = subject[name];
  return v === undefined ? [] : typeof v === 'string' ? [v] : v;
}

/** Whether every attribute the pattern lists is one of the subject's values for it (case-sensitive). */
export function subjectMatches(subject: PeerCertificate['subject'], pattern: SubjectPattern): boolean {
  for (const [name, value] of Object.entries(pattern)) if (!valuesOf(subject, name).includes(value)) return false;
  return true;
}

/** Whether the subject is exactly this distinguished name: the same attributes and values, in any order. */
export function dnMatches(subject: PeerCertificate['subject'], dn: DnPairs): boolean {
  const want = dn.map(([k, v]) => `${k}=${v}`).sort();
  const have: string[] = [];
  for (const name of Object.keys(subject)) for (const v of valuesOf(subject, name)) have.push(`${name}=${v}`);
  have.sort();
  return want.length === have.length && want.every((w, i) => w === have[i]);
}
