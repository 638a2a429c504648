import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TraceRateLimiter } from '../src/index.js';

describe('trace rate limiter', () => {
  it('lets a burst of one second\'s worth through, then refuses until time refills it', () => {
    const limiter = new TraceRateLimiter(3);
    const first = [0, 0, 0, 0].map(() => limiter.take(1000));
    assert.deepEqual(first, [true, true, true, false]);
    assert.equal(limiter.take(1200), false, '0.2 s refills 0.6 of a token');
    assert.equal(limiter.take(1334), true, '1/3 s after the burst one token is back');
    assert.equal(limiter.take(1334), false);
  });

  it('over a long run starts at most the configured number a second', () => {
    const limiter = new TraceRateLimiter(20);
    let taken = 0;
    // 10 s of traffic at 25,000 requests a second.
    for (let t = 0; t < 10_000; t += 0.04) if (limiter.take(t)) taken++;
    assert.ok(taken >= 200 && taken <= 220, `${taken} traces in 10 s`);
  });

  it('a rate below one a second still lets one through, then one per interval', () => {
    const limiter = new TraceRateLimiter(0.5);
    assert.equal(limiter.take(0), true);
    assert.equal(limiter.take(1000), false);
    assert.equal(limiter.take(2000), true);
  });

  it('out-of-order times do not mint tokens', () => {
    const limiter = new TraceRateLimiter(1);
    assert.equal(limiter.take(5000), true);
    assert.equal(limiter.take(4000), false);
    assert.equal(limiter.take(5000), false);
  });
});
