import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceModel } from './service-model.js';

/**
 * Makes the model's reference profile with `ponte profile` (`profileCommand`
 * of @ponte/monitor): runs the model on the reference data in process and
 * writes `<version>/profile.json`. It uses a config of its own, with only the
 * model's format plugin, because the project's config also loads the project's
 * plugin, which is not built yet. Returns the profile's path.
 */
export async function writeReferenceProfile(o: { repository: string; model: ServiceModel; data: string; out: string }): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'create-model-server-'));
  try {
    const config = join(dir, 'ponte.yaml');
    writeFileSync(config, `${JSON.stringify({ version: 1, plugins: [o.model.formatPlugin, '@ponte/validator-jsonschema'], repository: o.repository, models: [{ name: o.model.name, required: true }] }, null, 2)}\n`);
    const { profileCommand } = await import('@ponte/monitor');
    const quiet = { out: () => undefined, err: () => undefined };
    return await profileCommand({ config, model: o.model.name, data: [o.data], out: o.out, progress: false }, quiet);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
