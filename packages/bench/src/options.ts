import { parseArgs } from 'node:util';

/** The two models the load tables cover. */
export const LOAD_MODELS = ['purchase', 'wide_mlp'] as const;

/** The sections of a run, in the order they run (the soak comes last, with `--soak`). */
export const SECTIONS = ['load', 'batched', 'ceiling', 'one-conn', 'startup', 'telemetry', 'prediction-log', 'security', 'monitoring', 'explain', 'overload'] as const;
/** One of SECTIONS. */
export type Section = (typeof SECTIONS)[number];

/** What `npm run bench -- <flags>` asked for. */
export interface BenchOptions {
  /** Models of the load tables (`--only`), a subset of LOAD_MODELS. */
  models: string[];
  /** Seconds per measured wrk run. */
  durationS: number;
  /** Seconds of discarded warm-up load before a contender's measured runs. */
  warmupS: number;
  /** Measured runs per row; the row shows the median by req/s. */
  runs: number;
  /** Starts of Ponte for the start-up figure (median). */
  startupRepeats: number;
  /** Seconds per batch size of the in-process ceiling. */
  ceilingS: number;
  quick: boolean;
  /** Sections to run (`--sections`); every one by default. */
  sections: Section[];
  soak: boolean;
  soakMinutes: number;
  /** The report file, relative to the repo root unless absolute. */
  out: string;
}

export const USAGE = `usage: npm run bench -- [flags]
  --quick            3 s runs, 1 run per row, purchase only (development)
  --only M[,M]       models of the load tables: purchase, wide_mlp
  --runs N           measured runs per row (rounds over all contenders in the load tables), median reported (default 3)
  --duration S       seconds per measured run (default 10; also the overload's length)
  --sections S[,S]   only these sections: ${SECTIONS.join(', ')} (default all)
  --soak             also run the soak: steady load on Ponte (purchase), RSS every 10 s
  --soak-minutes M   soak length (default 10)
  --out FILE         report file (default docs/benchmarks.md)
`;

/**
 * Parses the bench flags. Throws an Error with a readable message on a bad
 * flag; `--help` is handled by the caller.
 *
 * @example parseBenchArgs(['--quick']).durationS === 3
 */
export function parseBenchArgs(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      runs: { type: 'string' },
      duration: { type: 'string' },
      sections: { type: 'string' },
      soak: { type: 'boolean', default: false },
      'soak-minutes': { type: 'string' },
      out: { type: 'string', default: 'docs/benchmarks.md' },
    },
  });
  const quick = values.quick === true;
  const models = values.only !== undefined ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : quick ? ['purchase'] : [...LOAD_MODELS];
  for (const m of models) {
    if (!(LOAD_MODELS as readonly string[]).includes(m)) throw new Error(`--only: unknown model '${m}' (expected ${LOAD_MODELS.join(', ')})`);
  }
  const sections = values.sections !== undefined ? values.sections.split(',').map((x) => x.trim()).filter(Boolean) : [...SECTIONS];
  for (const x of sections) {
    if (!(SECTIONS as readonly string[]).includes(x)) throw new Error(`--sections: unknown section '${x}' (expected ${SECTIONS.join(', ')})`);
  }
  return {
    models,
    sections: sections as Section[],
    durationS: positive(values.duration, quick ? 3 : 10, '--duration'),
    warmupS: quick ? 1 : 2,
    runs: positive(values.runs, quick ? 1 : 3, '--runs'),
    startupRepeats: quick ? 1 : 3,
    ceilingS: quick ? 1 : 3,
    quick,
    soak: values.soak === true,
    soakMinutes: positive(values['soak-minutes'], 10, '--soak-minutes'),
    out: values.out!,
  };
}

function positive(v: string | undefined, dflt: number, flag: string): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag}: expected a positive number, got '${v}'`);
  return n;
}
