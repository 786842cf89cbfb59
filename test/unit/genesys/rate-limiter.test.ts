import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { GENESYS_REQUESTS_PER_MINUTE, RateLimiter } from '../../../src/genesys/rate-limiter.js';

function limiter() {
  const clock = { ms: 1_000_000 };
  const subject = new RateLimiter({ limit: GENESYS_REQUESTS_PER_MINUTE, windowMs: 60_000, now: () => clock.ms });
  const take = (times: number) => {
    let granted = 0;
    for (let i = 0; i < times; i += 1) if (subject.tryTake()) granted += 1;
    return granted;
  };
  return { subject, clock, take };
}

describe('RateLimiter', () => {
  it("follows Genesys's documented 300 requests per minute", () => {
    assert.equal(GENESYS_REQUESTS_PER_MINUTE, 300);
  });

  it('grants 300 requests at once and refuses the 301st', () => {
    const { subject, take } = limiter();
    assert.equal(take(300), 300);
    assert.equal(subject.tryTake(), false);
  });

  it('grants a request again once the oldest one is a full minute old', () => {
    const { subject, clock, take } = limiter();
    take(1);
    clock.ms += 30_000;
    take(299);
    clock.ms += 29_999;
    assert.equal(subject.tryTake(), false);
    clock.ms += 1;
    assert.equal(subject.tryTake(), true);
    assert.equal(subject.tryTake(), false);
  });

  it('never grants more than 300 in any minute, whatever the pattern of calls', () => {
    const { subject, clock } = limiter();
    const grants: number[] = [];
    for (let step = 0; step < 5_000; step += 1) {
      clock.ms += step % 7 === 0 ? 900 : 3;
      if (subject.tryTake()) grants.push(clock.ms);
    }
    assert.ok(grants.length > 600);
    for (let i = 300; i < grants.length; i += 1) assert.ok(grants[i]! - grants[i - 300]! >= 60_000, `grant ${i}`);
  });

  it('grants a steady five requests a second for ever', () => {
    const { subject, clock } = limiter();
    for (let i = 0; i < 1_000; i += 1) {
      assert.ok(subject.tryTake(), `request ${i}`);
      clock.ms += 200;
    }
  });
});
