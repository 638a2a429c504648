import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This package's folder (dist/src/ is two levels below it). */
export const PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url));
/** Files copied into every new project, with `{{placeholders}}` filled. */
export const PROJECT_TEMPLATES = join(PACKAGE_DIR, 'templates', 'project');

/** The example purchase model and its reference data. */
export interface ExampleAssets {
  /** examples/models/purchase: model.yaml and 1/model.onnx are copied. */
  modelDir: string;
  /** examples/data/purchase/reference.csv. */
  reference: string;
}

/**
 * Finds the example: in the package's templates when it was packed
 * (scripts/copy-example.mjs copies it there), else in the Ponte checkout
 * the package sits in (a workspace install), so both work offline.
 */
export function exampleAssets(): ExampleAssets {
  for (const root of [join(PACKAGE_DIR, 'templates', 'example'), join(PACKAGE_DIR, '..', '..', 'examples')]) {
    const assets = { modelDir: join(root, 'models', 'purchase'), reference: join(root, 'data', 'purchase', 'reference.csv') };
    if (existsSync(join(assets.modelDir, '1', 'model.onnx')) && existsSync(assets.reference)) return assets;
  }
  throw new Error(`the example model is missing from ${join(PACKAGE_DIR, 'templates', 'example')}: reinstall create-model-server`);
}

/** Copies a template folder into `to`, replacing `{{key}}` in every file; returns the paths written, relative to `to`. */
export function copyTemplate(from: string, to: string, values: Readonly<Record<string, string>>): string[] {
  const written: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const source = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(source);
        continue;
      }
      const target = join(to, relative(from, source));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, fill(readFileSync(source, 'utf8'), values));
      written.push(relative(to, target));
    }
  };
  walk(from);
  return written;
}

/** `{{key}}` → its value; an unknown key is a bug in the templates, so it throws. */
export function fill(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_m, key: string) => {
    const v = values[key];
    if (v === undefined) throw new Error(`template placeholder {{${key}}} has no value`);
    return v;
  });
}
