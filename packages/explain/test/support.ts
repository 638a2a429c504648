import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_MODELS, REPO_ROOT } from '@ponte/http/testing';

/** A temp repository with purchase (its reference profile), house and digits (a reference sample each). */
export function exampleRepository(): { dir: string; repository: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'ponte-explain-'));
  const repository = join(dir, 'models');
  for (const m of ['purchase', 'house', 'digits']) cpSync(join(EXAMPLE_MODELS, m), join(repository, m), { recursive: true });
  for (const m of ['house', 'digits']) cpSync(join(REPO_ROOT, 'packages/monitor/test/fixtures', m, 'reference.csv'), join(repository, m, 'reference.csv'));
  return { dir, repository, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The models section: house and digits explained against their reference sample. */
export const MODELS = [
  { name: 'purchase' },
  { name: 'house', explain: { background: { file: 'reference.csv' } } },
  { name: 'digits', explain: { background: { file: 'reference.csv', rows: 400 } } },
];

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

export interface AttributionJson { output: string; base_value: number; values: number[]; feature_names: string[]; method: string; prediction: number; parameters: Record<string, unknown> }

export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

export const PURCHASE_ROW = { age: 41, income: 72.5, visits_last_30d: 6, avg_session_minutes: 7.2, pages_viewed: 31, days_since_last_purchase: 40, cart_items: 2, is_returning: 1 };
export const HOUSE_ROW = { living_area_sqm: 105.1, bedrooms: 3, bathrooms: 2, house_age_years: 45, lot_area_sqm: 457.6, distance_to_center_km: 7.46 };
