import { basename, resolve } from 'node:path';

export type StoreChoice = 'sqlite' | 'postgres' | 'none';
export type ExporterChoice = 'prometheus' | 'otel';

export const STORES: readonly StoreChoice[] = ['sqlite', 'postgres', 'none'];
export const EXPORTERS: readonly ExporterChoice[] = ['prometheus', 'otel'];

/** Everything the scaffold needs to know; the prompts and the flags both produce one. */
export interface Answers {
  /** The folder to create (absolute). */
  dir: string;
  /** The project's npm name (the folder's name, made valid). */
  name: string;
  /** `example` (the purchase model), or the path of a model file (`.onnx`, `.mjs`, `.js`). */
  model: string;
  /** Reference data (CSV or JSON lines) for the monitoring profile of a model of your own. */
  data: string | undefined;
  auth: boolean;
  store: StoreChoice;
  exporters: ExporterChoice[];
  /** Drift, quality and performance monitoring (needs a store). */
  monitoring: boolean;
  /** A local Ponte checkout to depend on through `file:` links instead of published packages. */
  pontePath: string | undefined;
  /** Write into a folder that is not empty. */
  force: boolean;
}

/** The answers given as flags; absent ones are asked (or defaulted with `--yes`). */
export type GivenAnswers = Partial<Omit<Answers, 'dir' | 'name'>> & { dir?: string };

export const DEFAULTS = {
  model: 'example',
  auth: true,
  store: 'sqlite' as StoreChoice,
  exporters: ['prometheus'] as ExporterChoice[],
  monitoring: true,
} as const;

/** An npm package name made from a folder name: lower case, URL-safe, at most 214 characters. */
export function packageNameOf(dir: string): string {
  const name = basename(resolve(dir)).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '').replace(/-+$/, '').slice(0, 214);
  return name === '' ? 'model-server' : name;
}

/** Fills what was not given with the defaults, and checks the combination. Throws a RangeError naming the flag. */
export function completeAnswers(given: GivenAnswers): Answers {
  if (given.dir === undefined || given.dir.trim() === '') throw new RangeError('a folder name is required: npx create-model-server my-service');
  const dir = resolve(given.dir);
  const store = given.store ?? DEFAULTS.store;
  const monitoring = given.monitoring ?? (store !== 'none' && DEFAULTS.monitoring);
  if (monitoring && store === 'none') throw new RangeError('--monitoring needs a prediction store: --store sqlite or postgres (or --no-monitoring)');
  const model = given.model ?? DEFAULTS.model;
  if (given.data !== undefined && model === 'example') throw new RangeError('--data is the reference data of a model of your own (--model FILE); the example brings its own');
  return {
    dir,
    name: packageNameOf(dir),
    model,
    data: given.data,
    auth: given.auth ?? DEFAULTS.auth,
    store,
    exporters: [...new Set(given.exporters ?? DEFAULTS.exporters)],
    monitoring,
    pontePath: given.pontePath === undefined ? undefined : resolve(given.pontePath),
    force: given.force ?? false,
  };
}
