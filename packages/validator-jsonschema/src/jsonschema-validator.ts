import { Ajv, type ValidateFunction } from 'ajv';
import { formatSchemaErrors, PonteError, type FeatureConfig, type InferenceRequest, type ModelSignature, type ModelView, type Tensor, type Validator } from '@ponte/core';
import { rowSchema } from './feature-schema.js';

export interface JsonSchemaValidatorOptions {
  /** Refuse NaN and ±Infinity in floating-point inputs (binary data can carry them). Default true. */
  rejectNonFinite: boolean;
  /** Report every broken rule of a request rather than the first. Default false (cheaper). */
  allErrors: boolean;
}

interface Compiled {
  rows?: ValidateFunction;
  /** Column rules for an OIP matrix input whose columns are the configured features. */
  columns?: { input: string; width: number; features: FeatureConfig[] };
}

/**
 * The default validator: named rows are checked with Ajv against a JSON Schema
 * built from the feature config; OIP tensors feeding a feature matrix are
 * checked column by column against the same ranges and allowed values; float
 * inputs must be finite. Schemas are compiled once per model version.
 */
export class JsonSchemaValidator implements Validator {
  readonly name = 'jsonschema';
  private readonly ajv: Ajv;
  private readonly compiled = new WeakMap<ModelSignature, Compiled>();

  constructor(private readonly options: JsonSchemaValidatorOptions) {
    this.ajv = new Ajv({ allErrors: options.allErrors, strict: false, allowUnionTypes: true });
  }

  validate(request: InferenceRequest, model: ModelView): void {
    const c = this.compile(model);
    if (request.instances !== undefined) {
      if (c.rows === undefined) return;
      const rows = request.instances;
      for (let i = 0; i < rows.length; i++) {
        if (!c.rows(rows[i])) {
          const messages = formatSchemaErrors(c.rows.errors, `instances[${i}]`);
          throw new PonteError('PONTE_VALIDATION_FAILED', messages.join('; '));
        }
      }
      this.checkFinite(request.inputs, c, true);
      return;
    }
    this.checkFinite(request.inputs, c, false);
    if (c.columns !== undefined) {
      const t = request.inputs.find((x) => x.name === c.columns!.input);
      if (t !== undefined) this.checkColumns(t, c.columns, request.inputs.indexOf(t));
    }
  }

  private compile(model: ModelView): Compiled {
    let c = this.compiled.get(model.signature);
    if (c !== undefined) return c;
    c = {};
    const features = model.config.features;
    if (features !== undefined) {
      c.rows = this.ajv.compile(rowSchema(features));
      const sig = model.signature;
      if (sig.inputs.length === 1 && sig.inputs[0]!.shape.length === 2 && features.every((f) => f.input === undefined)) {
        c.columns = { input: sig.inputs[0]!.name, width: features.length, features };
      }
    }
    this.compiled.set(model.signature, c);
    return c;
  }

  private checkFinite(inputs: Tensor[], c: Compiled, fromRows: boolean): void {
    if (!this.options.rejectNonFinite) return;
    inputs.forEach((t, idx) => {
      if (!(t.data instanceof Float32Array || t.data instanceof Float64Array)) return;
      const d = t.data;
      // NaN stands for a missing optional feature when rows were mapped by core.
      const nanAllowed = (col: number): boolean => fromRows && c.columns !== undefined && (!c.columns.features[col]!.required || c.columns.features[col]!.nullable);
      for (let i = 0; i < d.length; i++) {
        const v = d[i]!;
        if (v - v !== 0) {
          if (Number.isNaN(v) && c.columns !== undefined && nanAllowed(i % c.columns.width)) continue;
          if (Number.isNaN(v) && fromRows && c.columns === undefined) continue;
          // A caller of the named API sent rows, not tensors: name the row and feature it sent.
          const where = fromRows && c.columns !== undefined
            ? `instances[${Math.floor(i / c.columns.width)}].${c.columns.features[i % c.columns.width]!.name}`
            : `inputs[${idx}].data[${i}]`;
          throw new PonteError('PONTE_VALIDATION_FAILED', `${where}: must be a finite number, got ${v}`);
        }
      }
    });
  }

  private checkColumns(t: Tensor, cols: NonNullable<Compiled['columns']>, idx: number): void {
    const d = t.data;
    if (Array.isArray(d)) return;
    const w = cols.width;
    for (let j = 0; j < w; j++) {
      const f = cols.features[j]!;
      if (f.min === undefined && f.max === undefined && f.enum === undefined && f.type !== 'integer') continue;
      for (let i = j; i < d.length; i += w) {
        const v = Number((d as ArrayLike<number | bigint>)[i]);
        if (Number.isNaN(v)) continue;
        if (f.min !== undefined && v < f.min) throw new PonteError('PONTE_VALIDATION_FAILED', `${columnWhere(idx, i, w, f.name)}: must be >= ${f.min}, got ${v}`);
        if (f.max !== undefined && v > f.max) throw new PonteError('PONTE_VALIDATION_FAILED', `${columnWhere(idx, i, w, f.name)}: must be <= ${f.max}, got ${v}`);
        if (f.type === 'integer' && !Number.isInteger(v)) throw new PonteError('PONTE_VALIDATION_FAILED', `${columnWhere(idx, i, w, f.name)}: must be an integer, got ${v}`);
        if (f.enum !== undefined && !f.enum.includes(v)) throw new PonteError('PONTE_VALIDATION_FAILED', `${columnWhere(idx, i, w, f.name)}: must be one of ${f.enum.join(', ')}, got ${v}`);
      }
    }
  }
}

/** Where a column rule broke; only spelled out on failure (building it per element cost more than the checks). */
function columnWhere(input: number, i: number, width: number, feature: string): string {
  return `inputs[${input}].data[${i}] (row ${Math.floor(i / width)}, feature ${feature})`;
}
