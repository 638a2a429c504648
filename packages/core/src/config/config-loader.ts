import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Ajv, type AnySchema, type ValidateFunction } from 'ajv';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { PonteError } from '../errors.js';
import { coreConfigSchema } from './config-schema.js';
import type { LoadedConfig, PonteConfig } from './config-types.js';
import { formatSchemaErrors } from './schema-errors.js';
import { interpolate } from './interpolate.js';

/**
 * Raised when a config fails; `messages` holds every problem, each naming its
 * path, so a user fixes them all in one go.
 */
export class ConfigError extends PonteError {
  readonly messages: string[];
  constructor(messages: string[], code: 'PONTE_CONFIG_INVALID' | 'PONTE_CONFIG_UNREADABLE' = 'PONTE_CONFIG_INVALID') {
    super(code, `invalid configuration:\n  - ${messages.join('\n  - ')}`);
    this.messages = messages;
  }
}

/** One Ajv instance for config work: defaults applied, all errors reported. */
export function createConfigAjv(): Ajv {
  return new Ajv({ allErrors: true, useDefaults: true, strict: false, allowUnionTypes: true });
}

const ajv = createConfigAjv();
let coreValidator: ValidateFunction | undefined;

/** Validates `value` against `schema`, filling defaults in place; returns `path: rule` messages. */
export function checkAgainstSchema(schema: AnySchema, value: unknown, prefix: string, instance: Ajv = ajv): string[] {
  const validate = instance.compile(schema);
  return validate(value) ? [] : formatSchemaErrors(validate.errors, prefix);
}

/**
 * Parses, interpolates and validates a config against the core schema. Plugin
 * and format sections are checked later by the server, once plugins are loaded.
 *
 * @example
 * ```ts
 * const loaded = loadConfigFile('config/ponte.yaml');
 * console.log(loaded.config.server.port);
 * ```
 */
export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const abs = resolve(file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch {
    throw new ConfigError([`${file}: cannot read config file`], 'PONTE_CONFIG_UNREADABLE');
  }
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    const msg = e instanceof YAMLParseError ? e.message.split('\n')[0] : String(e);
    throw new ConfigError([`${file}: YAML syntax error: ${msg}`]);
  }
  return loadConfigObject(raw, dirname(abs), env, abs);
}

/** Same as `loadConfigFile`, for a config already parsed (tests, programmatic use). */
export function loadConfigObject(raw: unknown, baseDir: string, env: NodeJS.ProcessEnv = process.env, file?: string): LoadedConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(['(root): must be a mapping with at least a `version` key']);
  }
  const { value, secretPaths, errors } = interpolate(raw, baseDir, env);
  coreValidator ??= ajv.compile(coreConfigSchema);
  const messages = [...errors];
  if (!coreValidator(value)) messages.push(...formatSchemaErrors(coreValidator.errors));
  if (messages.length > 0) throw new ConfigError(messages);
  const loaded: LoadedConfig = { config: value as PonteConfig, baseDir, secretPaths };
  if (file !== undefined) loaded.file = file;
  return loaded;
}
