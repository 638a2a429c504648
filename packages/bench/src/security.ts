import { createHmac, randomBytes } from 'node:crypto';
import { roundOrder } from './round-order.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { measureLoad, type LoadPlan } from './load.js';
import type { PonteVariant } from './ponte-config.js';
import type { SecurityResult, SetupVariant } from './results.js';
import { sectionPonte } from './section-ponte.js';
import { telemetryRounds } from './telemetry.js';

/**
 * The security section's model and concurrency (saturation, as the load
 * tables), the scopes of its credentials, and a rate limit so far above any
 * load one core can serve that no request is refused: the row measures the
 * check, not refusals.
 */
export const SECURITY = {
  model: 'purchase',
  connections: 32,
  scopes: ['infer:purchase'],
  rateLimit: { rate: 10_000_000, perSeconds: 1 },
  jwt: { issuer: 'ponte-bench', audience: 'ponte', subject: 'bench' },
} as const;

/** Which plugins of the section load here (packages written in parallel may not be built). */
export interface SecurityPlugins {
  apikey: boolean;
  jwt: boolean;
  ratelimit: boolean;
}

/** The part of `@ponte/auth-apikey` the bench uses, imported when the section runs. */
interface ApiKeyModule {
  createKey(input: { id: string; scopes: readonly string[] }): Promise<{ id: string; key: string; hash: string; scopes: string[] }>;
}

/**
 * A compact HS256 JWT (RFC 7519) of `claims`, signed with `secret`: what a
 * service sharing the secret with `@ponte/auth-jwt` would send.
 *
 * @example hs256Jwt({ sub: 'bench', exp: 2000000000 }, 'a secret of at least thirty-two characters')
 */
export function hs256Jwt(claims: Record<string, unknown>, secret: string): string {
  const part = (x: unknown): string => Buffer.from(JSON.stringify(x)).toString('base64url');
  const signed = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${signed}.${createHmac('sha256', secret).update(signed).digest('base64url')}`;
}

interface Setup {
  key: string;
  label: string;
  variant: PonteVariant;
  headers?: Record<string, string>;
  skip?: string;
}

/**
 * The four set-ups: auth off; one API key (`createKey`, its scrypt hash in
 * the config, the key sent as `Authorization: Bearer`); one HS256 JWT (the
 * secret in a file of the run's temp folder read through `${file:…}`, one
 * token made for the section, valid for a day); and `@ponte/ratelimit` in
 * memory, auth off, one limit on the model far above the load.
 */
async function securitySetups(base: PonteVariant, tmp: string, plugins: SecurityPlugins): Promise<Setup[]> {
  const { scopes, jwt, rateLimit } = SECURITY;
  const setups: Setup[] = [{ key: 'off', label: 'auth off', variant: base }];

  const apikey: Setup = { key: 'apikey', label: 'API key (@ponte/auth-apikey)', variant: base };
  if (!plugins.apikey) apikey.skip = '@ponte/auth-apikey is not built or does not load';
  else {
    try {
      const specifier = '@ponte/auth-apikey';
      const { createKey } = (await import(specifier)) as ApiKeyModule;
      const k = await createKey({ id: 'bench', scopes });
      apikey.variant = { ...base, auth: { kind: 'apikey', keys: [{ id: k.id, hash: k.hash, scopes: k.scopes }] } };
      apikey.headers = { Authorization: `Bearer ${k.key}` };
    } catch (e) {
      apikey.skip = `could not make an API key with createKey: ${(e as Error).message}`;
    }
  }
  setups.push(apikey);

  const token: Setup = { key: 'jwt', label: 'JWT, HS256 (@ponte/auth-jwt)', variant: base };
  if (!plugins.jwt) token.skip = '@ponte/auth-jwt is not built or does not load';
  else {
    const secret = randomBytes(32).toString('base64url');
    const secretFile = join(tmp, 'jwt-secret');
    writeFileSync(secretFile, secret, { mode: 0o600 });
    const now = Math.floor(Date.now() / 1000);
    const t = hs256Jwt({ sub: jwt.subject, iss: jwt.issuer, aud: jwt.audience, scope: scopes.join(' '), iat: now, exp: now + 86_400 }, secret);
    token.variant = { ...base, auth: { kind: 'jwt', secretFile, issuer: jwt.issuer, audience: jwt.audience } };
    token.headers = { Authorization: `Bearer ${t}` };
  }
  setups.push(token);

  setups.push({
    key: 'ratelimit', label: `rate limit (@ponte/ratelimit, memory, ${rateLimit.rate.toLocaleString('en-US')}/${rateLimit.perSeconds} s per model)`,
    variant: { ...base, rateLimit }, ...(plugins.ratelimit ? {} : { skip: '@ponte/ratelimit is not built or does not load' }),
  });
  return setups;
}

/**
 * Security cost: Ponte (OIP, batching on, the load tables' set-up) on
 * purchase at 32 connections, with auth off, with an API key, with a JWT,
 * and with a rate limit that never refuses. The set-ups are measured
 * interleaved in telemetryRounds() rounds (off, API key, JWT, rate limit,
 * off, …), each run a fresh server with its golden check (sent with the
 * set-up's credentials) and warm-up, as the telemetry section does.
 */
export async function runSecurity(plan: LoadPlan, prometheus: boolean, plugins: SecurityPlugins): Promise<SecurityResult> {
  const { model, connections } = SECURITY;
  const setups = await securitySetups({ model, batching: true, prometheus }, plan.tmp, plugins);
  const variants: SetupVariant[] = setups.map((s) => ({ key: s.key, label: s.label, status: s.skip ? 'skipped' : 'ok', ...(s.skip ? { note: s.skip } : {}), runs: [] }));
  // The load tables' executor notes are about their own rows: leave these out.
  const { onPonteFacts: _facts, ...quiet } = plan;
  const rounds = telemetryRounds(plan);
  for (let i = 0; i < rounds.runs; i++) {
    for (const [k, s] of roundOrder(setups, i)) {
      const v = variants[k]!;
      if (v.status !== 'ok') continue;
      const c = sectionPonte(s.variant, `security-${s.key}`, `Ponte OIP, ${s.label}`);
      const row = await measureLoad(c, { ...quiet, connections, runs: 1, durationS: rounds.durationS, ...(s.headers ? { headers: s.headers } : {}) });
      if (row.status !== 'ok' || !row.stats) {
        v.status = 'failed';
        v.note = `run ${i + 1}: ${row.note ?? row.status}`;
        continue;
      }
      v.runs.push(row.stats);
      if (row.stats.errors > 0) v.note = [v.note, `run ${i + 1}: ${row.stats.errors} socket errors or non-2xx answers (${row.stats.non2xx} non-2xx)`].filter(Boolean).join('; ');
    }
  }
  return { model, connections, variants };
}
