import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { PonteConfig } from '@ponte/core';

/** Whether a config serves a model of this name: a `models` entry or a folder of the repository. */
export function modelConfigured(config: PonteConfig, baseDir: string, name: string): boolean {
  if (config.models.some((m) => m.name === name)) return true;
  if (config.repository === undefined) return false;
  const dir = join(isAbsolute(config.repository) ? config.repository : resolve(baseDir, config.repository), name);
  return existsSync(dir) && statSync(dir).isDirectory();
}
