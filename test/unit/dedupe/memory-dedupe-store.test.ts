import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { MemoryDedupeStore } from '../../../src/dedupe/memory-dedupe-store.js';

const CLAIM_TTL_MS = 30_000;

function store(options: Partial<{ maxEntries: number; ttlSeconds: number }> = {}): MemoryDedupeStore {
  return new MemoryDedupeStore({ maxEntries: 100, ttlSeconds: 3600, ...options });
}

describe('MemoryDedupeStore', () => {
  it('answers new to the first claim of a key', async () => {
    assert.equal(await store().claim('a', CLAIM_TTL_MS), 'new');
  });

  it('answers in_flight to a second claim while the first is held', async () => {
    const dedupe = store();
    await dedupe.claim('a', CLAIM_TTL_MS);
    assert.equal(await dedupe.claim('a', CLAIM_TTL_MS), 'in_flight');
    assert.equal(await dedupe.claim('a', CLAIM_TTL_MS), 'in_flight');
  });

  it('gives exactly one of many simultaneous claims of one key new', async () => {
    const dedupe = store();
    const results = await Promise.all(Array.from({ length: 20 }, () => dedupe.claim('a', CLAIM_TTL_MS)));
    assert.equal(results.filter((result) => result === 'new').length, 1);
    assert.equal(results.filter((result) => result === 'in_flight').length, 19);
  });

  it('answers duplicate to every claim after complete', async () => {
    const dedupe = store();
    await dedupe.claim('a', CLAIM_TTL_MS);
    await dedupe.complete('a');
    assert.equal(await dedupe.claim('a', CLAIM_TTL_MS), 'duplicate');
    assert.equal(await dedupe.claim('a', CLAIM_TTL_MS), 'duplicate');
  });

  it("answers new again after release, so that the sender's retry goes through", async () => {
    const dedupe = store();
    await dedupe.claim('a', CLAIM_TTL_MS);
    await dedupe.release('a');
    assert.equal(await dedupe.claim('a', CLAIM_TTL_MS), 'new');
  });

  it('does not forget a delivered event when it is released after complete', async () => {
    const dedupe = store();
    await dedupe.claim('a', CLAIM_TTL_MS);
    await dedupe.complete('a');
    await dedupe.release('a');
    assert.equal(await dedupe.claim('a', CLAIM_TTL_MS), 'duplicate');
  });

  it('keeps keys apart', async () => {
    const dedupe = store();
    await dedupe.claim('a', CLAIM_TTL_MS);
    await dedupe.complete('a');
    assert.equal(await dedupe.claim('b', CLAIM_TTL_MS), 'new');
    await dedupe.release('b');
    assert.equal(await dedupe.claim('a', CLAIM_TTL_MS), 'duplicate');
  });

  it('lets a claim lapse after its claim TTL, so a lost release cannot block retries', async () => {
    const dedupe = store();
    await dedupe.claim('a', 20);
    await sleep(60);
    assert.equal(await dedupe.claim('a', CLAIM_TTL_MS), 'new');
  });

  it('remembers a completed event past its claim TTL, for the delivered TTL', async () => {
    const dedupe = store();
    await dedupe.claim('a', 20);
    await dedupe.complete('a');
    await sleep(60);
    assert.equal(await dedupe.claim('a', CLAIM_TTL_MS), 'duplicate');
  });

  it('forgets a delivered event once the delivered TTL has passed', async () => {
    const dedupe = store({ ttlSeconds: 0.02 });
    await dedupe.claim('a', CLAIM_TTL_MS);
    await dedupe.complete('a');
    await sleep(60);
    assert.equal(await dedupe.claim('a', CLAIM_TTL_MS), 'new');
  });

  it('forgets the least recently used entry when maxEntries is reached', async () => {
    const dedupe = store({ maxEntries: 2 });
    await dedupe.claim('a', CLAIM_TTL_MS);
    await dedupe.complete('a');
    await dedupe.claim('b', CLAIM_TTL_MS);
    await dedupe.complete('b');
    await dedupe.claim('c', CLAIM_TTL_MS);
    assert.equal(await dedupe.size(), 2);
    assert.equal(await dedupe.claim('c', CLAIM_TTL_MS), 'in_flight');
    assert.equal(await dedupe.claim('b', CLAIM_TTL_MS), 'duplicate');
    assert.equal(await dedupe.claim('a', CLAIM_TTL_MS), 'new');
  });

  it('counts claimed and delivered entries in size(), and not released ones', async () => {
    const dedupe = store();
    assert.equal(await dedupe.size(), 0);
    await dedupe.claim('a', CLAIM_TTL_MS);
    await dedupe.claim('b', CLAIM_TTL_MS);
    await dedupe.complete('b');
    await dedupe.claim('c', CLAIM_TTL_MS);
    assert.equal(await dedupe.size(), 3);
    await dedupe.release('c');
    assert.equal(await dedupe.size(), 2);
  });

  it('forgets everything on close', async () => {
    const dedupe = store();
    await dedupe.claim('a', CLAIM_TTL_MS);
    await dedupe.complete('a');
    await dedupe.close();
    assert.equal(await dedupe.size(), 0);
  });
});
