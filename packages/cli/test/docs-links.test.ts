import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { REPO_ROOT } from '@ponte/http/testing';

/** The documents a newcomer reads: docs/*.md and every README. */
function documents(): string[] {
  const out = readdirSync(join(REPO_ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(REPO_ROOT, 'docs', f));
  out.push(join(REPO_ROOT, 'README.md'));
  for (const top of ['packages', 'examples']) {
    for (const d of readdirSync(join(REPO_ROOT, top))) {
      const readme = join(REPO_ROOT, top, d, 'README.md');
      if (existsSync(readme)) out.push(readme);
    }
  }
  return out;
}

const TOP = /^(?:packages|examples|config|docs|deploy)\//;

/**
 * Repository paths a document names: relative markdown links (against the document's folder), and
 * code spans that start with a top-level folder (against the repository root or the document's
 * folder), and the bare file names an example's README gives (against its folder). Globs, placeholders and generated output (dist/, data/, test-output/) are left out.
 */
function namedPaths(file: string): Array<{ path: string; candidates: string[] }> {
  const text = readFileSync(file, 'utf8');
  const out: Array<{ path: string; candidates: string[] }> = [];
  for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = m[1]!.split('#')[0]!;
    if (target === '' || /^[a-z]+:/i.test(target)) continue;
    out.push({ path: target, candidates: [join(dirname(file), target)] });
  }
  for (const m of text.matchAll(/`([^`\s]+)`/g)) {
    const p = m[1]!.replace(/[:,.]$/, '');
    // An example's README names its own files bare (`too-many-rows.json`).
    // (Elsewhere `./models` is the reader's own folder, not this repository's.)
    const local = dirname(file).startsWith(join(REPO_ROOT, 'examples')) && (p.startsWith('./') || /^[\w-]+\.(?:json|mjs|yaml|csv)$/.test(p));
    if (!TOP.test(p) && !local) continue;
    if (/[*<>{}$|]|\.\.\.|…/.test(p) || /(^|\/)(dist|data|node_modules|test-output)\//.test(p)) continue;
    out.push({ path: p, candidates: [join(REPO_ROOT, p), join(dirname(file), p)] });
  }
  return out;
}

test('every repository path the docs and READMEs name exists', () => {
  const missing: string[] = [];
  for (const file of documents()) {
    for (const { path, candidates } of namedPaths(file)) if (!candidates.some((c) => existsSync(c))) missing.push(`${relative(REPO_ROOT, file)}: ${path}`);
  }
  assert.deepEqual(missing, []);
});
