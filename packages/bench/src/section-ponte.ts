import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Contender } from './contender.js';
import { PONTE_CLI, REPO_ROOT } from './paths.js';
import { ponteConfigYaml, type PonteVariant } from './ponte-config.js';
import { ponte } from './ponte-server.js';

/**
 * Ponte (OIP) as one set-up of a section: the load tables' contender with
 * the set-up's key and label, and its config written to a file of its own
 * (`ponte-<key>.yaml`), so that set-ups whose plugins the shared file name does
 * not tell apart (auth, rate limit, monitor) never share a config file.
 */
export function sectionPonte(variant: PonteVariant, key: string, label: string): Contender {
  return {
    ...ponte(variant, 'oip'),
    key,
    label,
    spec: (port, tmp) => {
      const file = join(tmp, `ponte-${key}.yaml`);
      writeFileSync(file, ponteConfigYaml(variant));
      return { command: process.execPath, args: [PONTE_CLI, 'serve', '--config', file, '--port', String(port)], cwd: REPO_ROOT };
    },
  };
}
