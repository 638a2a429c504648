import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { redactConnectionString, secretScrubber } from '../src/redact.js';

describe('keeping the database password out of messages', () => {
  it('a connection string is shown with its password masked, and one that is not a URL is not shown at all', () => {
    assert.equal(redactConnectionString('postgres://app:s3cret@db.internal:5432/ponte?sslmode=require'), 'postgres://app:***@db.internal:5432/ponte?sslmode=require');
    assert.equal(redactConnectionString('postgres://app@db/ponte?sslpassword=k3y'), 'postgres://app@db/ponte?sslpassword=***');
    assert.equal(redactConnectionString('app:s3cret db'), '(a connection string that is not a postgres:// URL)');
  });

  it('an error that quotes the password, raw or URL-encoded, anywhere in it, is replaced by a copy that does not', () => {
    const cs = 'postgres://app:p%40ss%2Fw0rd@db/ponte';
    const scrub = secretScrubber(cs);
    const leaky = Object.assign(new TypeError(`Invalid URL ${cs}`), { code: 'ERR_INVALID_URL', input: cs });
    const safe = scrub.error(leaky);
    for (const secret of ['p@ss/w0rd', 'p%40ss%2Fw0rd']) assert.ok(!inspect(safe).includes(secret), inspect(safe));
    assert.equal((safe as { code?: string }).code, 'ERR_INVALID_URL');
    assert.equal(scrub.text('password p@ss/w0rd rejected'), 'password *** rejected');
    const harmless = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    assert.equal(scrub.error(harmless), harmless);
  });
});
