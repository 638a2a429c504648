import { isAbsolute, resolve } from 'node:path';
import { definePlugin, Tokens } from '@ponte/core';
import { ApiKeyAuthenticator } from './apikey-authenticator.js';
import { KEY_ENTRY_SCHEMA, loadKeyEntries, type KeyEntry, type LoadedKey } from './key-entries.js';
import { KeysFile } from './keys-file.js';
import { KeyVerifier } from './key-verifier.js';

/** Options of `@ponte/auth-apikey`. */
export interface ApiKeyOptions {
  /** Keys written in the config (changed by a restart). */
  keys?: KeyEntry[];
  /** A YAML or JSON file with more keys, relative to the config file, watched: changes apply without a restart. */
  keysFile?: string;
  /** How often the keys file is `stat`ed, in case a change event is missed. */
  pollIntervalMs: number;
}

/**
 * API-key authentication: `Authorization: Bearer pnt_…` or `X-API-Key: pnt_…`,
 * checked against scrypt hashes from the config and a watched keys file; the
 * principal is the key's id with its scopes, which core's scope authorizer reads.
 *
 * @example
 * ```yaml
 * plugins:
 *   - package: '@ponte/auth-apikey'
 *     options:
 *       keysFile: ./keys.yaml
 *       keys:
 *         - { id: billing, hash: 'scrypt$16384$8$1$…$…', scopes: ['infer:purchase'] }
 * ```
 */
export const apiKeyPlugin = definePlugin<ApiKeyOptions>({
  name: '@ponte/auth-apikey',
  kind: 'auth',
  core: '^0.1.0',
  description: 'API keys stored as scrypt hashes, from config and a watched keys file, with scopes',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      keys: { type: 'array', items: KEY_ENTRY_SCHEMA },
      keysFile: { type: 'string', minLength: 1 },
      pollIntervalMs: { type: 'integer', minimum: 50, maximum: 60_000, default: 500 },
    },
  },
  register(ctx) {
    const o = ctx.options;
    if (o.keys === undefined && o.keysFile === undefined) throw new Error('options: give keys, keysFile or both');
    const configured = loadKeyEntries(o.keys ?? [], 'options.keys');
    if (configured.errors.length > 0) throw new Error(configured.errors.join('; '));
    const verifier = new KeyVerifier();
    verifier.setKeys(configured.keys);
    ctx.provide(Tokens.Authenticator, new ApiKeyAuthenticator(verifier));
    const keysFile = o.keysFile;
    if (keysFile === undefined) return;
    const path = isAbsolute(keysFile) ? keysFile : resolve(ctx.baseDir, keysFile);
    const file = new KeysFile(path, keysFile, o.pollIntervalMs, (fromFile: LoadedKey[]) => verifier.setKeys([...configured.keys, ...fromFile]), ctx.logger);
    return {
      start: () => file.start(),
      stop: () => file.stop(),
    };
  },
});
