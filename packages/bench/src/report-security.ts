import type { BenchResults } from './results.js';
import { COST_ROUNDS } from './telemetry.js';
import { SECURITY } from './security.js';
import { APIKEY_MIN_RATIO, SECURITY_TARGET_ROW, summarizeSecurity } from './security-verdict.js';

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** The security-cost table: auth off, API key, JWT, rate limit; median req/s and ratio vs auth off. */
export function securitySection(r: BenchResults): string[] {
  const s = r.security;
  if (!s) return ['Not measured in this run.'];
  const out = [
    `Ponte OIP (batching on) on ${s.model}, ${s.connections} connections (wrk), one fresh server per run with its golden check and warm-up, ${COST_ROUNDS} rounds of 6 s in a full run; the set-ups run one after another in each round, the first of each round rotating so that each runs first equally often (round-order.ts) and each row shows the median over its runs (p50 and p99 of the median run). ` +
      'All set-ups are the load tables\' Ponte (metrics on when `@ponte/exporter-prometheus` loads, one access line per request, JSON Schema validation). ' +
      `Auth off: no auth plugin. API key: \`@ponte/auth-apikey\` with one key made by \`createKey\` (its scrypt hash in \`options.keys\`, scopes ${SECURITY.scopes.join(', ')}), every request — golden check, warm-up and runs — sending \`Authorization: Bearer <key>\` (wrk \`-H\`); the key is hashed once and then found in the plugin's verified-key cache. ` +
      `JWT: \`@ponte/auth-jwt\` with an HS256 secret (32 random bytes, read through \`\${file:…}\`, issuer and audience checked) and one token made for the section (valid a day), sent the same way: every request verifies its signature and claims. ` +
      `Rate limit: \`@ponte/ratelimit\` in memory, auth off, one limit \`{ per: model, models: [${s.model}], rate: ${int(SECURITY.rateLimit.rate)}, perSeconds: ${SECURITY.rateLimit.perSeconds} }\` — far above the load, so every request pays the check and none is refused. ` +
      `Target: API key ≥ ${APIKEY_MIN_RATIO * 100}% of auth off with no non-2xx answer; JWT and rate limit are figures. Run-to-run noise on a shared machine is about ±10%; the spread column shows this run's.`,
    '',
    '| set-up | runs | median req/s | vs auth off | p50 / p99 ms (median run) | spread (max−min)/median | non-2xx | each run req/s |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  const sums = summarizeSecurity(s);
  const notes: string[] = [];
  for (const [i, v] of s.variants.entries()) {
    const x = sums[i]!;
    const mark = v.note ? ` [${notes.push(`${v.label}: ${v.note}`)}]` : '';
    const status = v.status === 'ok' ? '' : ` — **${v.status}**`;
    const judged = (ratio: number): string => (v.key !== SECURITY_TARGET_ROW ? '' : ratio >= APIKEY_MIN_RATIO && x.non2xx === 0 ? ' ✅' : ' ❌');
    out.push([
      `| ${cell(v.label)}${status}${mark}`,
      String(x.runs),
      x.medianRps !== undefined ? int(x.medianRps) : '–',
      x.ratio === undefined ? '–' : `${pct(x.ratio)}${judged(x.ratio)}`,
      x.medianRun ? `${x.medianRun.p50Ms.toFixed(2)} / ${x.medianRun.p99Ms.toFixed(2)}` : '–',
      x.spread !== undefined ? pct(x.spread) : '–',
      v.status === 'ok' ? int(x.non2xx) : '–',
      `${v.runs.map((y) => int(y.rps)).join(', ') || '–'} |`,
    ].join(' | '));
  }
  if (notes.length) out.push('', ...notes.map((n, i) => `[${i + 1}] ${cell(n)}  `));
  return out;
}
