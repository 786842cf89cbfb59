// Rotation through a Secret volume updated exactly as the kubelet updates it, checked with real signed
// requests against a running sidecar.
import assert from 'node:assert/strict';
import { rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';

import { purecloudEvent, purecloudSignature } from '../helpers/events.js';
import { sampleValue } from '../helpers/metrics.js';
import { get, post } from '../helpers/post.js';
import { startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { makeSecretVolume } from '../helpers/secret-volume.js';
import { startTestSidecar, type TestSidecar } from '../helpers/test-sidecar.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('secret rotation through a mounted Secret volume', () => {
  let app: RecordingUpstream;
  const cleanups: Array<() => Promise<void>> = [];

  before(async () => {
    app = await startRecordingUpstream();
  });
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await app.close();
  });

  async function setUp(keys: Record<string, string>, env: Record<string, string> = {}) {
    const volume = await makeSecretVolume(keys);
    const sidecar = await startTestSidecar({ UPSTREAM_URL: app.url, WEBHOOK_SECRET_PATH: volume.path, ...env });
    cleanups.push(
      () => volume.remove(),
      () => sidecar.close(),
    );
    return { volume, sidecar };
  }

  async function statusWith(sidecar: TestSidecar, secret: string): Promise<number> {
    const body = purecloudEvent();
    const answer = await post(`${sidecar.webhookUrl}/webhook/genesys`, body, {
      'x-purecloud-webhook-signature': purecloudSignature(body, secret),
    });
    return answer.status;
  }

  /** Polls until a request signed with `secret` gets `status`; returns how long that took. */
  async function waitUntil(sidecar: TestSidecar, secret: string, status: number, limitMs = 2000): Promise<number> {
    const started = performance.now();
    while (performance.now() - started < limitMs) {
      if ((await statusWith(sidecar, secret)) === status) return performance.now() - started;
      await sleep(10);
    }
    throw new Error(`a request signed with the ${secret} secret did not get ${status} within ${limitMs} ms`);
  }

  async function reloads(sidecar: TestSidecar, result: 'success' | 'failed'): Promise<number> {
    return (
      sampleValue(
        (await get(`${sidecar.adminUrl}/metrics`)).text,
        'genesys_webhook_secret_reloads_total',
        `result="${result}"`,
      ) ?? 0
    );
  }

  test('a swapped value is in effect within 2 s and the old value is refused', async (t: TestContext) => {
    const { volume, sidecar } = await setUp({ token: 'first-value' });
    assert.equal(await statusWith(sidecar, 'first-value'), 200);

    await volume.update({ token: 'second-value' });
    const tookMs = await waitUntil(sidecar, 'second-value', 200);
    t.diagnostic(`swap to acceptance: ${tookMs.toFixed(0)} ms`);
    assert.equal(await statusWith(sidecar, 'first-value'), 403);
    assert.ok((await reloads(sidecar, 'success')) >= 2);
  });

  test('an added key is accepted next to the existing one', async () => {
    const { volume, sidecar } = await setUp({ current: 'key-a' });
    await volume.update({ current: 'key-a', next: 'key-b' });
    await waitUntil(sidecar, 'key-b', 200);
    assert.equal(await statusWith(sidecar, 'key-a'), 200);
  });

  test('a removed key is refused at once without grace', async () => {
    const { volume, sidecar } = await setUp({ current: 'key-a', previous: 'key-old' });
    await volume.update({ current: 'key-a' });
    await waitUntil(sidecar, 'key-old', 403);
    assert.equal(await statusWith(sidecar, 'key-a'), 200);
  });

  test('a removed key stays accepted for SECRET_GRACE_SECONDS, then is refused', async () => {
    const { volume, sidecar } = await setUp({ current: 'key-a', previous: 'key-old' }, { SECRET_GRACE_SECONDS: '2' });
    const removedAt = performance.now();
    await volume.update({ current: 'key-a' });
    await sleep(500);
    assert.equal(await statusWith(sidecar, 'key-old'), 200, 'still inside the grace period');
    await waitUntil(sidecar, 'key-old', 403, 4000);
    assert.ok(performance.now() - removedAt >= 2000, 'not refused before the grace period ended');
    assert.equal(await statusWith(sidecar, 'key-a'), 200);
  });

  test('a Secret whose only value becomes empty keeps the last good key and counts a failed reload', async () => {
    const { volume, sidecar } = await setUp({ token: 'good-value' });
    await volume.update({ token: '' });
    const deadline = performance.now() + 2000;
    while ((await reloads(sidecar, 'failed')) === 0 && performance.now() < deadline) await sleep(20);
    assert.ok((await reloads(sidecar, 'failed')) >= 1);
    assert.equal(await statusWith(sidecar, 'good-value'), 200);
    assert.equal((await get(`${sidecar.adminUrl}/readyz`)).status, 200);
  });

  test('an unreadable key is skipped while the readable ones load', async () => {
    // Tests run as root, who can read a mode-000 file, so a dangling symlink stands in for unreadable.
    const { volume, sidecar } = await setUp({ token: 'good-value' });
    await symlink('..data/no-such-key', join(volume.path, 'broken'));
    const deadline = performance.now() + 2000;
    const reported = () => sidecar.logs.findLast((entry) => JSON.stringify(entry.problems ?? '').includes('broken'));
    while (!reported() && performance.now() < deadline) await sleep(20);
    assert.deepEqual(reported()?.keys, ['token']);
    assert.equal(await statusWith(sidecar, 'good-value'), 200);
  });

  test('a directory removed keeps the last good set, and one restored with a new value takes over', async () => {
    const { volume, sidecar } = await setUp({ token: 'before-removal' }, { SECRET_RESCAN_SECONDS: '1' });
    await rm(volume.path, { recursive: true, force: true });
    await sleep(300);
    assert.equal(await statusWith(sidecar, 'before-removal'), 200);
    assert.equal((await get(`${sidecar.adminUrl}/readyz`)).status, 200);

    await makeSecretVolume({ token: 'after-restore' }, volume.path);
    await waitUntil(sidecar, 'after-restore', 200, 3000);
    assert.equal(await statusWith(sidecar, 'before-removal'), 403);
  });

  test('a path missing at start is not ready until it appears', async () => {
    const volume = await makeSecretVolume({ token: 'x' });
    await volume.remove();
    const sidecar = await startTestSidecar({
      UPSTREAM_URL: app.url,
      WEBHOOK_SECRET_PATH: volume.path,
      SECRET_RESCAN_SECONDS: '1',
    });
    cleanups.push(
      () => volume.remove(),
      () => sidecar.close(),
    );
    assert.equal((await get(`${sidecar.adminUrl}/readyz`)).status, 503);
    assert.equal(await statusWith(sidecar, 'late-value'), 503);

    await makeSecretVolume({ token: 'late-value' }, volume.path);
    await waitUntil(sidecar, 'late-value', 200, 3000);
    assert.equal((await get(`${sidecar.adminUrl}/readyz`)).status, 200);
  });

  test('after a burst of swaps the last value wins', async () => {
    const { volume, sidecar } = await setUp({ token: 'v0' });
    for (let index = 1; index <= 25; index += 1) await volume.update({ token: `v${index}` });
    await waitUntil(sidecar, 'v25', 200);
    assert.equal(await statusWith(sidecar, 'v24'), 403);
  });

  test('rotating the documented way while traffic flows loses no event and needs no restart', async (t: TestContext) => {
    const { volume, sidecar } = await setUp({ current: 'old-token' });
    let signingSecret = 'old-token';
    let running = true;
    const statuses: number[] = [];
    const traffic = (async () => {
      while (running) statuses.push(await statusWith(sidecar, signingSecret));
    })();
    const secondTraffic = (async () => {
      while (running) statuses.push(await statusWith(sidecar, signingSecret));
    })();

    // 1. Add the new token beside the old one and wait for the reload.
    const before = await reloads(sidecar, 'success');
    const addedAt = performance.now();
    await volume.update({ current: 'old-token', next: 'new-token' });
    while ((await reloads(sidecar, 'success')) === before) await sleep(10);
    t.diagnostic(`new key accepted ${(performance.now() - addedAt).toFixed(0)} ms after the swap`);
    await sleep(200);
    // 2. Switch the token in Genesys: from now on the sender signs with the new one.
    signingSecret = 'new-token';
    await sleep(300);
    // 3. Remove the old token.
    await volume.update({ next: 'new-token' });
    await waitUntil(sidecar, 'old-token', 403);
    await sleep(300);
    running = false;
    await Promise.all([traffic, secondTraffic]);

    assert.ok(statuses.length > 50, `enough traffic flowed (${statuses.length} requests)`);
    assert.deepEqual(
      statuses.filter((status) => status !== 200),
      [],
      'every request during the rotation was delivered',
    );
  });
});
