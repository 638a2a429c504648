import { parseArgs } from 'node:util';
import { EXPORTERS, STORES, type ExporterChoice, type GivenAnswers, type StoreChoice } from './answers.js';

export const USAGE = `usage: npx create-model-server <folder> [options]

Creates a Ponte prediction service in <folder>. Asks what it does not know (on a terminal);
--yes takes the defaults for everything not given.

  --model example|FILE     the example purchase model (default), or your model file (.onnx, .mjs)
  --data FILE              reference data (CSV or JSON lines) for your model's monitoring profile
  --auth / --no-auth       API-key authentication (default on: a key is made and printed once)
  --store sqlite|postgres|none
                           the prediction log (default sqlite, a file under data/)
  --exporters LIST         prometheus, otel, or none, comma-separated (default prometheus)
  --monitoring / --no-monitoring
                           drift, data quality and performance monitoring (default on with a store)
  --ponte-path DIR         depend on a local Ponte checkout (file: links) instead of published packages
  --force                  write into a folder that is not empty
  -y, --yes                take the defaults for every question not answered by a flag
  -h, --help               this text
`;

export interface Flags {
  given: GivenAnswers;
  yes: boolean;
  help: boolean;
}

/** `--no-auth` and `--no-monitoring` as `false`, so node's parseArgs needs no negative options. */
const NEGATIONS: Record<string, 'auth' | 'monitoring'> = { '--no-auth': 'auth', '--no-monitoring': 'monitoring' };

/** Reads the command line; throws a RangeError naming the flag when a value is not allowed. */
export function parseFlags(argv: readonly string[]): Flags {
  const negated: Partial<Record<'auth' | 'monitoring', false>> = {};
  const rest = argv.filter((a) => {
    const key = NEGATIONS[a];
    if (key === undefined) return true;
    negated[key] = false;
    return false;
  });
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      data: { type: 'string' },
      auth: { type: 'boolean' },
      store: { type: 'string' },
      exporters: { type: 'string' },
      monitoring: { type: 'boolean' },
      'ponte-path': { type: 'string' },
      force: { type: 'boolean' },
      yes: { type: 'boolean', short: 'y' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (positionals.length > 1) throw new RangeError(`one folder, got ${positionals.length}: ${positionals.join(' ')}`);
  const given: GivenAnswers = {};
  if (positionals[0] !== undefined) given.dir = positionals[0];
  if (values.model !== undefined) given.model = values.model;
  if (values.data !== undefined) given.data = values.data;
  const auth = negated.auth ?? values.auth;
  if (auth !== undefined) given.auth = auth;
  if (values.store !== undefined) {
    if (!(STORES as readonly string[]).includes(values.store)) throw new RangeError(`--store must be one of ${STORES.join(', ')}, got "${values.store}"`);
    given.store = values.store as StoreChoice;
  }
  if (values.exporters !== undefined) given.exporters = exportersOf(values.exporters);
  const monitoring = negated.monitoring ?? values.monitoring;
  if (monitoring !== undefined) given.monitoring = monitoring;
  if (values['ponte-path'] !== undefined) given.pontePath = values['ponte-path'];
  if (values.force !== undefined) given.force = values.force;
  return { given, yes: values.yes === true, help: values.help === true };
}

function exportersOf(list: string): ExporterChoice[] {
  const names = list.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 1 && names[0] === 'none') return [];
  for (const n of names) {
    if (!(EXPORTERS as readonly string[]).includes(n)) throw new RangeError(`--exporters: "${n}" is not one of ${EXPORTERS.join(', ')} (or none)`);
  }
  return names as ExporterChoice[];
}
