import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { checkEventAge } from '../../../src/webhook/check-event-age.js';

const NOW = Date.parse('2026-12-03T16:00:00.000Z');

function isoSecondsAgo(seconds: number): string {
  return new Date(NOW - seconds * 1000).toISOString();
}

describe('checkEventAge', () => {
  it('passes any event, however old, when the window is 0 (off)', () => {
    assert.equal(checkEventAge('2001-01-01T00:00:00Z', 0, NOW), undefined);
  });

  it('passes an event without a timestamp', () => {
    assert.equal(checkEventAge(undefined, 60, NOW), undefined);
  });

  it('passes an event whose timestamp cannot be parsed', () => {
    for (const timestamp of ['', 'yesterday', 'not-a-date', '2026-13-45T99:99:99Z']) {
      assert.equal(checkEventAge(timestamp, 60, NOW), undefined, timestamp);
    }
  });

  it('passes an event inside the window', () => {
    assert.equal(checkEventAge(isoSecondsAgo(59), 60, NOW), undefined);
  });

  it('passes an event exactly as old as the window', () => {
    assert.equal(checkEventAge(isoSecondsAgo(60), 60, NOW), undefined);
  });

  it('passes an event stamped in the future', () => {
    assert.equal(checkEventAge(isoSecondsAgo(-3600), 60, NOW), undefined);
  });

  it('rejects an event older than the window as stale_event, stating both ages', () => {
    const result = checkEventAge(isoSecondsAgo(61), 60, NOW);
    assert.ok(result);
    assert.equal(result.kind, 'rejected');
    assert.equal(result.reason, 'stale_event');
    assert.match(result.message, /\b61 s\b/);
    assert.match(result.message, /\b60 s\b/);
  });

  it('compares instants, so a timestamp with an offset is read in its own zone', () => {
    // 17:00 at +01:00 is 16:00 UTC, i.e. now.
    assert.equal(checkEventAge('2026-12-03T17:00:00+01:00', 60, NOW), undefined);
    // 15:00 at +00:30 is 14:30 UTC: 90 minutes old, over a one-hour window.
    assert.equal(checkEventAge('2026-12-03T15:00:00+00:30', 3600, NOW)?.reason, 'stale_event');
  });
});
