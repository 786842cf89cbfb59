import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CircuitBreaker, type BreakerState } from '../../../src/genesys/circuit-breaker.js';

function breaker() {
  const clock = { ms: 0 };
  const changes: BreakerState[] = [];
  const subject = new CircuitBreaker({
    failureThreshold: 5,
    coolDownMs: 30_000,
    now: () => clock.ms,
    onStateChange: (state) => changes.push(state),
  });
  const fail = (times: number) => {
    for (let i = 0; i < times; i += 1) {
      assert.ok(subject.tryAcquire());
      subject.recordFailure();
    }
  };
  return { subject, clock, changes, fail };
}

describe('CircuitBreaker', () => {
  it('lets every call through while closed', () => {
    const { subject } = breaker();
    for (let i = 0; i < 100; i += 1) assert.ok(subject.tryAcquire());
    assert.equal(subject.state, 'closed');
  });

  it('opens after five consecutive failures and then refuses every call', () => {
    const { subject, fail, changes } = breaker();
    fail(4);
    assert.equal(subject.state, 'closed');
    fail(1);
    assert.equal(subject.state, 'open');
    assert.deepEqual(changes, ['open']);
    assert.equal(subject.tryAcquire(), false);
  });

  it('starts counting again after a success, so only consecutive failures open it', () => {
    const { subject, fail } = breaker();
    fail(4);
    assert.ok(subject.tryAcquire());
    subject.recordSuccess();
    fail(4);
    assert.equal(subject.state, 'closed');
  });

  it('keeps refusing until the cool-down is over, then lets exactly one trial through', () => {
    const { subject, fail, clock, changes } = breaker();
    fail(5);
    clock.ms = 29_999;
    assert.equal(subject.tryAcquire(), false);
    clock.ms = 30_000;
    assert.equal(subject.state, 'half-open');
    assert.equal(subject.tryAcquire(), true);
    assert.equal(subject.tryAcquire(), false);
    assert.deepEqual(changes, ['open', 'half-open']);
  });

  it('closes when the trial succeeds', () => {
    const { subject, fail, clock, changes } = breaker();
    fail(5);
    clock.ms = 30_000;
    assert.ok(subject.tryAcquire());
    subject.recordSuccess();
    assert.equal(subject.state, 'closed');
    assert.deepEqual(changes, ['open', 'half-open', 'closed']);
    for (let i = 0; i < 10; i += 1) assert.ok(subject.tryAcquire());
  });

  it('reopens for a whole new cool-down when the trial fails', () => {
    const { subject, fail, clock } = breaker();
    fail(5);
    clock.ms = 30_000;
    assert.ok(subject.tryAcquire());
    subject.recordFailure();
    assert.equal(subject.state, 'open');
    clock.ms = 59_999;
    assert.equal(subject.tryAcquire(), false);
    clock.ms = 60_000;
    assert.equal(subject.tryAcquire(), true);
  });

  it('lets another trial through when the last one was released without a verdict', () => {
    const { subject, fail, clock } = breaker();
    fail(5);
    clock.ms = 30_000;
    assert.ok(subject.tryAcquire());
    subject.release();
    assert.equal(subject.state, 'half-open');
    assert.ok(subject.tryAcquire());
  });

  it('does not extend the cool-down for failures of calls that started before it opened', () => {
    const { subject, clock } = breaker();
    for (let i = 0; i < 8; i += 1) assert.ok(subject.tryAcquire());
    for (let i = 0; i < 5; i += 1) subject.recordFailure();
    clock.ms = 5_000;
    for (let i = 0; i < 3; i += 1) subject.recordFailure();
    clock.ms = 30_000;
    assert.ok(subject.tryAcquire());
  });
});
