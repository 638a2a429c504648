import { PonteError, type Parameter } from '@ponte/core';
import type { ParameterMap } from './messages.js';

function bad(message: string): PonteError {
  return new PonteError('PONTE_BAD_REQUEST', message);
}

/**
 * Converts an OIP gRPC parameter map to Ponte parameters. `int64_param`
 * becomes a number and must fit in ±2^53; a parameter with no value set is
 * refused, naming it.
 *
 * @example
 * ```ts
 * decodeParameters({ binary_data_output: { bool_param: true, parameter_choice: 'bool_param' } }, 'parameters'); // { binary_data_output: true }
 * ```
 */
export function decodeParameters(raw: ParameterMap | undefined | null, path: string): Record<string, Parameter> | undefined {
  if (raw === undefined || raw === null) return undefined;
  const keys = Object.keys(raw);
  if (keys.length === 0) return undefined;
  const out: Record<string, Parameter> = {};
  for (const k of keys) {
    const p = raw[k];
    switch (p?.parameter_choice) {
      case 'bool_param': out[k] = p.bool_param === true; break;
      case 'string_param': out[k] = p.string_param ?? ''; break;
      case 'int64_param': {
        const v = Number(p.int64_param ?? 0);
        if (!Number.isSafeInteger(v)) throw bad(`${path}.${k}: int64_param must be within ±2^53`);
        out[k] = v;
        break;
      }
      default: throw bad(`${path}.${k}: must set one of bool_param, int64_param or string_param`);
    }
  }
  return out;
}

/**
 * Converts Ponte parameters to an OIP gRPC parameter map. The proto has no
 * floating-point parameter, so a non-integer number is sent as its decimal string.
 */
export function encodeParameters(params: Record<string, Parameter> | undefined): ParameterMap | undefined {
  if (params === undefined) return undefined;
  const out: ParameterMap = {};
  for (const [k, v] of Object.entries(params)) {
    if (typeof v === 'boolean') out[k] = { bool_param: v };
    else if (typeof v === 'number' && Number.isSafeInteger(v)) out[k] = { int64_param: v };
    else out[k] = { string_param: String(v) };
  }
  return out;
}
