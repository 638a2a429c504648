import { readFileSync } from 'node:fs';

/** `@ponte/core`'s version, which plugins' `core` ranges are checked against. */
export const PONTE_VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * What a server says about itself (OIP server metadata) and where its config
 * lives, registered under `Tokens.ServerInfo`.
 *
 * @example
 * ```ts
 * const { name, version } = ctx.resolve(Tokens.ServerInfo);
 * ```
 */
export interface ServerInfo {
  readonly name: string;
  readonly version: string;
  /** Folder of the config file: relative paths in config resolve against it. */
  readonly baseDir: string;
  /** OIP extensions this server supports; protocol plugins add theirs at register. */
  readonly extensions: string[];
}
