import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes } from '@ponte/core';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

test('every error code is documented in docs/errors.md with its HTTP status', () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'errors.md'), 'utf8');
  for (const [code, { status }] of Object.entries(ErrorCodes)) {
    const row = doc.split('\n').find((l) => l.startsWith(`| \`${code}\` |`));
    assert.ok(row, `${code} is not documented in docs/errors.md`);
    assert.match(row, new RegExp(`^\\| \`${code}\` \\| ${status} \\|`), `${code} is documented with the wrong status`);
  }
});
