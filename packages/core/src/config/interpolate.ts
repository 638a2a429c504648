import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

const PATTERN = /\$\{(env|file):([^}]+)\}/g;

export interface InterpolationResult {
  value: unknown;
  /** Paths (`auth.keys[0]`) whose value came from `${env:}` or `${file:}`: treated as secrets when printed. */
  secretPaths: Set<string>;
  errors: string[];
}

/**
 * Replaces `${env:NAME}`, `${env:NAME:-fallback}` and `${file:PATH}` inside string
 * values of a parsed config. Done after YAML parsing, so a secret can never
 * inject YAML structure. File paths are relative to the config file's folder;
 * one trailing newline of a file is dropped (as Kubernetes secrets usually have one).
 */
export function interpolate(root: unknown, baseDir: string, env: NodeJS.ProcessEnv = process.env): InterpolationResult {
  const secretPaths = new Set<string>();
  const errors: string[] = [];
  const walk = (node: unknown, path: string): unknown => {
    if (typeof node === 'string') {
      if (!node.includes('${')) return node;
      let touched = false;
      const out = node.replace(PATTERN, (_m, kind: string, ref: string) => {
        touched = true;
        if (kind === 'env') {
          const [name, fallback] = splitFallback(ref);
          const v = env[name];
          if (v !== undefined && v !== '') return v;
          if (fallback !== undefined) return fallback;
          errors.push(`${path}: environment variable ${name} is not set`);
          return '';
        }
        const file = isAbsolute(ref) ? ref : resolve(baseDir, ref);
        try {
          return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
        } catch {
          errors.push(`${path}: cannot read file ${ref}`);
          return '';
        }
      });
      if (touched) secretPaths.add(path);
      return out;
    }
    if (Array.isArray(node)) return node.map((v, i) => walk(v, `${path}[${i}]`));
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) out[k] = walk(v, path === '' ? k : `${path}.${k}`);
      return out;
    }
    return node;
  };
  return { value: walk(root, ''), secretPaths, errors };
}

function splitFallback(ref: string): [string, string | undefined] {
  const i = ref.indexOf(':-');
  return i < 0 ? [ref.trim(), undefined] : [ref.slice(0, i).trim(), ref.slice(i + 2)];
}
