/**
 * A suite is only worth running if it catches what it claims to: here each
 * runs, in a child process, on an implementation that breaks its kind's
 * contract, and must fail saying what is wrong.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const FIXTURE = fileURLToPath(new URL('../test-support/broken-plugins.js', import.meta.url));

function runBroken(kind: string): { status: number | null; output: string } {
  // Without NODE_TEST_CONTEXT, which would make the child report to this runner instead of printing its own result.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=tap', FIXTURE], { env: { ...env, PONTE_BROKEN: kind }, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const cases: Array<[kind: string, story: string, says: RegExp]> = [
  ['format', 'a format that declares an output it never returns', /output "z" is declared but missing/],
  ['validator', 'a validator whose error names another element than the one at fault', /should name inputs\[0\]\.data\[0\]/],
  ['authenticator', 'an authenticator that repeats the wrong token in its error', /repeats the credential/],
  ['sink', 'a sink whose write throws synchronously', /threw synchronously/],
  ['observer', 'an observer that throws on a request without a model', /observers must never throw/],
];

for (const [kind, story, says] of cases) {
  test(`the suite fails ${story}`, () => {
    const { status, output } = runBroken(kind);
    assert.notEqual(status, 0, `the suite passed:\n${output}`);
    assert.match(output, says);
  });
}
