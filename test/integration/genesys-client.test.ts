import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { after, afterEach, before, describe, test } from 'node:test';

import { Registry } from 'prom-client';

import { BREAKER_COOL_DOWN_MS, BREAKER_FAILURE_THRESHOLD, GenesysClient } from '../../src/genesys/genesys-client.js';
import type { CredentialSource } from '../../src/genesys/credentials.js';
import { createLogger } from '../../src/observability/logger.js';
import { conversation, FakeGenesys } from '../helpers/fake-genesys.js';
import { sampleValue } from '../helpers/metrics.js';

const CLIENT_ID = '5f3c2a1b-8d7e-4f6a-9b0c-1d2e3f4a5b6c';
const SECRET = 'Zq8-original-client-secret_3vT';
const ROTATED_SECRET = 'Kp4-rotated-client-secret_9mW';
const CONVERSATION_ID = '7c1e9a2b-4d3f-4e5a-8b6c-0d9e8f7a6b5c';

interface Harness {
  client: GenesysClient;
  registry: Registry;
  clock: { ms: number };
  logs: string[];
}

describe('GenesysClient against a stand-in for the Genesys Cloud login and API hosts', () => {
  let fake: FakeGenesys;
  let dir: string;
  const open: GenesysClient[] = [];

  before(async () => {
    fake = await FakeGenesys.start(CLIENT_ID, SECRET);
    dir = await mkdtemp(join(tmpdir(), 'gws-genesys-client-'));
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((client) => client.close()));
    fake.clearFaults();
    fake.tokenLifetimeSeconds = 86_400;
    fake.acceptCredentials(CLIENT_ID, SECRET);
  });
  after(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A new client (so a new token cache, breaker and limiter) whose clock only moves when a test moves it. */
  function start(clientSecret: CredentialSource = { value: SECRET }): Harness {
    const clock = { ms: 0 };
    const logs: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(chunk.toString('utf8'));
        done();
      },
    });
    const registry = new Registry();
    const client = new GenesysClient({
      apiUrl: new URL(fake.url),
      loginUrl: new URL(fake.url),
      clientId: { value: CLIENT_ID },
      clientSecret,
      registry,
      logger: createLogger('debug', sink),
      now: () => clock.ms,
    });
    open.push(client);
    return { client, registry, clock, logs };
  }

  /** How much the stand-in's counters moved during `action`. */
  async function counting<T>(action: () => Promise<T>): Promise<{ result: T; tokens: number; api: number }> {
    const [tokens, api] = [fake.tokenRequests, fake.apiRequests];
    const result = await action();
    return { result, tokens: fake.tokenRequests - tokens, api: fake.apiRequests - api };
  }

  async function timed<T>(action: () => Promise<T>): Promise<{ result: T; ms: number }> {
    const started = performance.now();
    const result = await action();
    return { result, ms: performance.now() - started };
  }

  test('reads a conversation with a token from the login host, the id encoded as one path segment', async () => {
    const { client } = start();
    const id = 'odd id/with?chars';
    const { result, tokens, api } = await counting(() => client.getConversation(id, 1500));
    assert.deepEqual(result, { kind: 'ok', conversation: conversation(id) });
    assert.deepEqual({ tokens, api }, { tokens: 1, api: 1 });
  });

  test('fetches one token for a burst of 20 concurrent lookups', async () => {
    const { client } = start();
    const { result, tokens, api } = await counting(() =>
      Promise.all(Array.from({ length: 20 }, (_, i) => client.getConversation(`burst-${i}`, 1500))),
    );
    assert.deepEqual(
      result.map((lookup) => lookup.kind),
      Array.from({ length: 20 }, () => 'ok'),
    );
    assert.deepEqual({ tokens, api }, { tokens: 1, api: 20 });
  });

  test('asks for a new token shortly before the old one expires, never using an expired one', async () => {
    const { client, clock, registry } = start();
    fake.tokenLifetimeSeconds = 100;
    assert.equal((await counting(() => client.getConversation(CONVERSATION_ID, 1500))).tokens, 1);
    // 10 % of a 100 s lifetime early: the token is reused up to 90 s, replaced from then on.
    clock.ms = 89_999;
    assert.equal((await counting(() => client.getConversation(CONVERSATION_ID, 1500))).tokens, 0);
    clock.ms = 90_000;
    const renewed = await counting(() => client.getConversation(CONVERSATION_ID, 1500));
    assert.deepEqual(
      { kind: renewed.result.kind, tokens: renewed.tokens, api: renewed.api },
      { kind: 'ok', tokens: 1, api: 1 },
    );
    assert.equal(sampleValue(await registry.metrics(), 'genesys_api_requests_total', 'code="401"'), 0);
  });

  test('answers a refused token with one new token and one retry', async () => {
    const { client, registry } = start();
    await client.getConversation(CONVERSATION_ID, 1500);
    fake.expireTokens();
    const { result, tokens, api } = await counting(() => client.getConversation(CONVERSATION_ID, 1500));
    assert.equal(result.kind, 'ok');
    assert.deepEqual({ tokens, api }, { tokens: 1, api: 2 });
    const metrics = await registry.metrics();
    assert.equal(sampleValue(metrics, 'genesys_api_requests_total', 'code="401"'), 1);
    assert.equal(sampleValue(metrics, 'genesys_api_token_refreshes_total', 'result="success"'), 2);
  });

  test('gives up after one new token and one retry when the API keeps refusing', async () => {
    const { client } = start();
    await client.getConversation(CONVERSATION_ID, 1500);
    fake.failApi({ kind: 'status', status: 401 }, Infinity);
    const { result, tokens, api } = await counting(() => client.getConversation(CONVERSATION_ID, 1500));
    assert.deepEqual(result, { kind: 'failed', detail: 'Genesys answered 401' });
    assert.deepEqual({ tokens, api }, { tokens: 1, api: 2 });
  });

  test('waits out a 429 whose Retry-After fits in the budget, then succeeds', async () => {
    const { client } = start();
    await client.getConversation(CONVERSATION_ID, 1500);
    fake.failApi({ kind: 'rate-limit', retryAfterSeconds: 1 });
    const { result, ms } = await timed(() => counting(() => client.getConversation(CONVERSATION_ID, 2500)));
    assert.equal(result.result.kind, 'ok');
    assert.equal(result.api, 2);
    assert.ok(ms >= 950 && ms < 2500, `took ${ms} ms`);
  });

  test('fails at once on a 429 whose Retry-After does not fit in the budget', async () => {
    const { client } = start();
    await client.getConversation(CONVERSATION_ID, 1500);
    fake.failApi({ kind: 'rate-limit', retryAfterSeconds: 5 });
    const { result, ms } = await timed(() => counting(() => client.getConversation(CONVERSATION_ID, 1500)));
    assert.deepEqual(result.result, { kind: 'failed', detail: 'Genesys answered 429' });
    assert.equal(result.api, 1);
    assert.ok(ms < 300, `took ${ms} ms`);
  });

  test('retries a 5xx once after a short pause', async () => {
    const { client } = start();
    await client.getConversation(CONVERSATION_ID, 1500);
    fake.failApi({ kind: 'status', status: 503 });
    const recovered = await counting(() => client.getConversation(CONVERSATION_ID, 1500));
    assert.deepEqual({ kind: recovered.result.kind, api: recovered.api }, { kind: 'ok', api: 2 });

    fake.failApi({ kind: 'status', status: 502 }, 2);
    const { result, ms } = await timed(() => counting(() => client.getConversation(CONVERSATION_ID, 1500)));
    assert.deepEqual(result.result, { kind: 'failed', detail: 'Genesys answered 502' });
    assert.equal(result.api, 2);
    assert.ok(ms >= 50, `the retry came after ${ms} ms`);
  });

  test('retries once after a connection reset', async () => {
    const { client } = start();
    await client.getConversation(CONVERSATION_ID, 1500);
    fake.failApi({ kind: 'reset' });
    const { result, api } = await counting(() => client.getConversation(CONVERSATION_ID, 1500));
    assert.deepEqual({ kind: result.kind, api }, { kind: 'ok', api: 2 });
  });

  test('reports a missing conversation without a retry and without opening the breaker', async () => {
    const { client } = start();
    fake.missingConversations.add('gone');
    for (let i = 0; i < BREAKER_FAILURE_THRESHOLD + 1; i += 1) {
      const { result, api } = await counting(() => client.getConversation('gone', 1500));
      assert.deepEqual(result, { kind: 'failed', detail: 'conversation not found' });
      assert.equal(api, 1);
    }
    assert.equal((await client.getConversation(CONVERSATION_ID, 1500)).kind, 'ok');
  });

  test('opens the breaker after repeated failures, skips the network while open, closes after cool-down', async () => {
    const { client, clock, registry, logs } = start();
    const breakerOpen = async () => sampleValue(await registry.metrics(), 'genesys_api_breaker_open');
    fake.failApi({ kind: 'status', status: 503 }, Infinity);
    for (let i = 0; i < BREAKER_FAILURE_THRESHOLD; i += 1) {
      const lookup = await client.getConversation(CONVERSATION_ID, 1500);
      assert.deepEqual(lookup, { kind: 'failed', detail: 'Genesys answered 503' });
    }
    assert.equal(await breakerOpen(), 1);
    assert.ok(logs.some((line) => line.includes('circuit breaker opened')));

    const skipped = await timed(() => counting(() => client.getConversation(CONVERSATION_ID, 1500)));
    assert.deepEqual(skipped.result.result, { kind: 'breaker_open' });
    assert.deepEqual({ tokens: skipped.result.tokens, api: skipped.result.api }, { tokens: 0, api: 0 });
    assert.ok(skipped.ms < 50, `took ${skipped.ms} ms`);

    clock.ms = BREAKER_COOL_DOWN_MS - 1;
    assert.deepEqual(await client.getConversation(CONVERSATION_ID, 1500), { kind: 'breaker_open' });
    fake.clearFaults();
    clock.ms = BREAKER_COOL_DOWN_MS;
    assert.equal((await client.getConversation(CONVERSATION_ID, 1500)).kind, 'ok');
    assert.equal(await breakerOpen(), 0);
    assert.equal((await client.getConversation(CONVERSATION_ID, 1500)).kind, 'ok');
  });

  test('opens the breaker when no token can be had', async () => {
    const { client } = start();
    fake.failLogin({ kind: 'status', status: 503 }, Infinity);
    for (let i = 0; i < BREAKER_FAILURE_THRESHOLD; i += 1) {
      const lookup = await client.getConversation(CONVERSATION_ID, 1500);
      assert.deepEqual(lookup, { kind: 'failed', detail: 'no token: the login host answered 503 server_error' });
    }
    const { result, tokens } = await counting(() => client.getConversation(CONVERSATION_ID, 1500));
    assert.deepEqual({ result, tokens }, { result: { kind: 'breaker_open' }, tokens: 0 });
  });

  test('gives up when the budget runs out on a slow API, within the budget', async () => {
    const { client } = start();
    await client.getConversation(CONVERSATION_ID, 1500);
    fake.failApi({ kind: 'delay', ms: 3000 });
    const { result, ms } = await timed(() => client.getConversation(CONVERSATION_ID, 500));
    assert.deepEqual(result, { kind: 'failed', detail: 'enrichment budget exhausted' });
    assert.ok(ms < 500 + 200, `took ${ms} ms`);
  });

  test('gives up when the budget runs out on a slow login host, within the budget', async () => {
    const { client } = start();
    fake.failLogin({ kind: 'delay', ms: 3000 });
    const { result, ms } = await timed(() => client.getConversation(CONVERSATION_ID, 500));
    assert.deepEqual(result, { kind: 'failed', detail: 'enrichment budget exhausted' });
    assert.ok(ms < 500 + 200, `took ${ms} ms`);
  });

  test('does not start a lookup that the budget left cannot fit', async () => {
    const { client } = start();
    const { result, tokens, api } = await counting(() => client.getConversation(CONVERSATION_ID, 10));
    assert.deepEqual(result, { kind: 'failed', detail: 'enrichment budget exhausted' });
    assert.deepEqual({ tokens, api }, { tokens: 0, api: 0 });
  });

  test('refuses an empty or malformed conversation id without a request', async () => {
    const { client } = start();
    for (const id of ['', 'lone-\ud800-surrogate']) {
      const { result, tokens, api } = await counting(() => client.getConversation(id, 1500));
      assert.equal(result.kind, 'failed');
      assert.deepEqual({ tokens, api }, { tokens: 0, api: 0 });
    }
  });

  test('uses a client secret rotated through its file for the next token', async () => {
    const secretFile = join(dir, 'client-secret');
    await writeFile(secretFile, `${SECRET}\n`);
    const { client } = start({ file: secretFile });
    assert.equal((await client.getConversation(CONVERSATION_ID, 1500)).kind, 'ok');

    // Genesys now accepts only the new secret, and the old tokens are revoked; the file still has the old one.
    fake.acceptCredentials(CLIENT_ID, ROTATED_SECRET);
    fake.expireTokens();
    assert.deepEqual(await client.getConversation(CONVERSATION_ID, 1500), {
      kind: 'failed',
      detail: 'no token: the login host answered 401 invalid_client',
    });

    await writeFile(secretFile, `${ROTATED_SECRET}\n`);
    const { result, tokens } = await counting(() => client.getConversation(CONVERSATION_ID, 1500));
    assert.deepEqual({ kind: result.kind, tokens }, { kind: 'ok', tokens: 1 });
    assert.equal(fake.presentedSecrets.at(-1), ROTATED_SECRET);
  });

  test('turns the 301st lookup in a minute into rate_limited without a request', async () => {
    const { client } = start();
    const { result, api } = await counting(async () => {
      const lookups = [];
      for (let batch = 0; batch < 6; batch += 1) {
        const batchOf50 = Array.from({ length: 50 }, () => client.getConversation(CONVERSATION_ID, 1500));
        lookups.push(...(await Promise.all(batchOf50)));
      }
      return lookups;
    });
    assert.ok(result.every((lookup) => lookup.kind === 'ok'));
    assert.equal(api, 300);
    const last = await counting(() => client.getConversation(CONVERSATION_ID, 1500));
    assert.deepEqual({ result: last.result, api: last.api }, { result: { kind: 'rate_limited' }, api: 0 });
  });

  test('counts requests by code, token refreshes by result, and times every request', async () => {
    const { client, registry } = start();
    fake.missingConversations.add('gone');
    await client.getConversation(CONVERSATION_ID, 1500);
    await client.getConversation('gone', 1500);
    fake.failApi({ kind: 'reset' });
    await client.getConversation(CONVERSATION_ID, 1500);
    const metrics = await registry.metrics();
    const requests = (code: string) => sampleValue(metrics, 'genesys_api_requests_total', `code="${code}"`);
    assert.deepEqual(
      ['2xx', '3xx', '4xx', '5xx', '401', '404', '429', 'error'].map(requests),
      [2, 0, 0, 0, 0, 1, 0, 1],
    );
    assert.equal(sampleValue(metrics, 'genesys_api_request_duration_seconds_count'), 4);
    assert.equal(sampleValue(metrics, 'genesys_api_token_refreshes_total', 'result="success"'), 1);
    assert.equal(sampleValue(metrics, 'genesys_api_token_refreshes_total', 'result="failed"'), 0);
    assert.equal(sampleValue(metrics, 'genesys_api_breaker_open'), 0);
  });

  test('never logs a token or the client secret, even at debug level and on failures', async () => {
    const { client, logs } = start();
    await client.getConversation(CONVERSATION_ID, 1500);
    fake.expireTokens();
    await client.getConversation(CONVERSATION_ID, 1500);
    fake.acceptCredentials(CLIENT_ID, ROTATED_SECRET);
    fake.expireTokens();
    await client.getConversation(CONVERSATION_ID, 1500);
    const written = logs.join('');
    assert.ok(written.includes('Genesys Cloud token request failed'));
    for (const secret of [SECRET, Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64'), ...fake.issuedTokens]) {
      assert.ok(!written.includes(secret), 'a secret was logged');
    }
  });
});
