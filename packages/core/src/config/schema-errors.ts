import type { ErrorObject } from 'ajv';

/** `/models/1/batching/maxBatchSize` → `models[1].batching.maxBatchSize`. */
export function pointerToPath(prefix: string, pointer: string): string {
  let out = prefix;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out === '' ? '(root)' : out;
}

function join(path: string, key: string): string {
  return path === '(root)' ? key : `${path}.${key}`;
}

/**
 * Turns Ajv errors into `path: rule` messages a person can act on, e.g.
 * `models[0].batching.maxBatchSize: must be >= 1`.
 */
export function formatSchemaErrors(errors: readonly ErrorObject[] | null | undefined, prefix = ''): string[] {
  if (!errors) return [];
  const out: string[] = [];
  for (const e of errors) {
    const path = pointerToPath(prefix, e.instancePath);
    const p = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'additionalProperties':
        out.push(`${join(path, String(p['additionalProperty']))}: unknown key`);
        break;
      case 'required':
        out.push(`${join(path, String(p['missingProperty']))}: is required`);
        break;
      case 'minimum': out.push(`${path}: must be >= ${String(p['limit'])}`); break;
      case 'maximum': out.push(`${path}: must be <= ${String(p['limit'])}`); break;
      case 'exclusiveMinimum': out.push(`${path}: must be > ${String(p['limit'])}`); break;
      case 'exclusiveMaximum': out.push(`${path}: must be < ${String(p['limit'])}`); break;
      case 'type': out.push(`${path}: must be ${String(p['type'])}`); break;
      case 'enum': out.push(`${path}: must be one of ${(p['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`); break;
      case 'const': out.push(`${path}: must be ${JSON.stringify(p['allowedValue'])}`); break;
      case 'oneOf': case 'anyOf': out.push(`${path}: ${e.message ?? 'does not match any allowed form'}`); break;
      default: out.push(`${path}: ${e.message ?? e.keyword}`);
    }
  }
  // oneOf branches repeat themselves; keep each message once.
  return [...new Set(out)];
}
