// Enrichment through the whole sidecar, against a stand-in for the Genesys login and API hosts.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, test } from 'node:test';

import { openMessagingSignature, purecloudEvent, purecloudSignature, SECRET } from '../helpers/events.js';
import { FakeGenesys } from '../helpers/fake-genesys.js';
import { sampleValue } from '../helpers/metrics.js';
import { get, post } from '../helpers/post.js';
import { startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { startTestSidecar, type TestSidecar } from '../helpers/test-sidecar.js';

const CLIENT_ID = 'sidecar-client';
const CLIENT_SECRET = 'sidecar-client-secret';

describe('enrichment', () => {
  let app: RecordingUpstream;
  let genesys: FakeGenesys;
  const sidecars: TestSidecar[] = [];

  before(async () => {
    app = await startRecordingUpstream();
    genesys = await FakeGenesys.start(CLIENT_ID, CLIENT_SECRET);
  });
  afterEach(() => {
    genesys.clearFaults();
    app.answerWith(() => ({}));
  });
  after(async () => {
    await Promise.all(sidecars.map((sidecar) => sidecar.close()));
    await genesys.close();
    await app.close();
  });

  async function sidecarWith(env: Record<string, string> = {}): Promise<TestSidecar> {
    const sidecar = await startTestSidecar({
      UPSTREAM_URL: app.url,
      GENESYS_WEBHOOK_SECRET: SECRET,
      ENRICH_EVENT_TYPES: 'conversation:*',
      GENESYS_LOGIN_URL: genesys.url,
      GENESYS_API_URL: genesys.url,
      GENESYS_CLIENT_ID: CLIENT_ID,
      GENESYS_CLIENT_SECRET: CLIENT_SECRET,
      ...env,
    });
    sidecars.push(sidecar);
    return sidecar;
  }

  const send = (sidecar: TestSidecar, body: Buffer) =>
    post(`${sidecar.webhookUrl}/webhook/genesys`, body, { 'x-purecloud-webhook-signature': purecloudSignature(body) });
  const received = (eventId: string) =>
    app.requests.find((request) => request.headers['x-genesys-event-id'] === eventId);
  const enrichmentCount = async (sidecar: TestSidecar, result: string) =>
    sampleValue(
      (await get(`${sidecar.adminUrl}/metrics`)).text,
      'genesys_webhook_enrichment_total',
      `result="${result}"`,
    );

  test('a burst of matching events is enriched with the conversation, using one token request', async () => {
    const sidecar = await sidecarWith();
    const tokensBefore = genesys.tokenRequests;
    const events = Array.from({ length: 12 }, () => ({ id: randomUUID(), conversationId: randomUUID() }));
    const answers = await Promise.all(
      events.map((event) => send(sidecar, purecloudEvent({ id: event.id, data: { id: event.conversationId } }))),
    );
    assert.deepEqual(
      answers.map((answer) => answer.status),
      events.map(() => 200),
    );
    assert.equal(genesys.tokenRequests - tokensBefore, 1);

    for (const event of events) {
      const seen = received(event.id)!;
      assert.equal(seen.headers['x-genesys-enrichment'], 'ok');
      const body = JSON.parse(seen.body.toString()) as {
        id: string;
        data: { id: string };
        enrichment: { conversation: { id: string } };
      };
      assert.equal(body.id, event.id, 'the original fields are kept');
      assert.equal(body.enrichment.conversation.id, event.conversationId);
      assert.equal(seen.headers['content-length'], String(seen.body.length));
    }
    assert.equal(await enrichmentCount(sidecar, 'ok'), 12);
  });

  test('the enriched body is the signed bytes with one member appended, so numbers and spacing survive', async () => {
    const sidecar = await sidecarWith();
    const id = randomUUID();
    const conversationId = randomUUID();
    const signed = Buffer.from(
      `{ "id": "${id}", "type": "conversation:updated", "big": 12345678901234567890, "price": 1.10,\n` +
        ` "data": {"id": "${conversationId}"}, "timestamp": "${new Date().toISOString()}" }\n`,
    );
    assert.equal((await send(sidecar, signed)).status, 200);
    const seen = received(id)!;
    const closing = signed.lastIndexOf('}');
    assert.ok(seen.body.subarray(0, closing).equals(signed.subarray(0, closing)), 'every original byte is kept');
    assert.match(seen.body.toString(), /"big": 12345678901234567890, "price": 1.10,/);
    const parsed = JSON.parse(seen.body.toString()) as { enrichment: { conversation: { id: string } } };
    assert.equal(parsed.enrichment.conversation.id, conversationId);
  });

  test('an event type outside ENRICH_EVENT_TYPES is forwarded unchanged, without the header', async () => {
    const sidecar = await sidecarWith();
    const body = purecloudEvent({ type: 'routing:queue:updated' });
    assert.equal((await send(sidecar, body)).status, 200);
    const seen = app.requests.find((request) => request.body.equals(body));
    assert.ok(seen, 'the exact signed bytes reached the app');
    assert.equal(seen.headers['x-genesys-enrichment'], undefined);
  });

  test('a matching event without a conversation id is forwarded unchanged with X-Genesys-Enrichment: skipped', async () => {
    const sidecar = await sidecarWith();
    const body = purecloudEvent({ data: { state: 'connected' } });
    assert.equal((await send(sidecar, body)).status, 200);
    const seen = app.requests.find((request) => request.body.equals(body))!;
    assert.equal(seen.headers['x-genesys-enrichment'], 'skipped');
  });

  test('open-messaging events are enriched from conversationId', async () => {
    const sidecar = await sidecarWith({ SIGNATURE_PROFILE: 'open-messaging', ENRICH_EVENT_TYPES: 'Text' });
    const conversationId = randomUUID();
    const body = Buffer.from(JSON.stringify({ id: randomUUID(), type: 'Text', text: 'hi', conversationId }));
    const answer = await post(`${sidecar.webhookUrl}/webhook/genesys`, body, {
      'x-hub-signature-256': openMessagingSignature(body),
    });
    assert.equal(answer.status, 200);
    const seen = app.requests.at(-1)!;
    assert.equal(seen.headers['x-genesys-enrichment'], 'ok');
    assert.equal(
      (JSON.parse(seen.body.toString()) as { enrichment: { conversation: { id: string } } }).enrichment.conversation.id,
      conversationId,
    );
  });

  test('during a Genesys outage events are forwarded unenriched, and once the breaker opens the API is left alone', async () => {
    const sidecar = await sidecarWith();
    genesys.failApi({ kind: 'status', status: 503 }, Infinity);
    for (let index = 0; index < 6; index += 1) {
      const id = randomUUID();
      assert.equal((await send(sidecar, purecloudEvent({ id, data: { id: randomUUID() } }))).status, 200);
      assert.equal(received(id)?.headers['x-genesys-enrichment'], 'failed');
    }
    const apiRequests = genesys.apiRequests;
    const started = performance.now();
    const id = randomUUID();
    assert.equal((await send(sidecar, purecloudEvent({ id, data: { id: randomUUID() } }))).status, 200);
    assert.ok(performance.now() - started < 200, 'no time is spent on Genesys while the breaker is open');
    assert.equal(genesys.apiRequests, apiRequests);
    assert.equal(received(id)?.headers['x-genesys-enrichment'], 'failed');
    assert.ok((await enrichmentCount(sidecar, 'breaker_open'))! >= 1);
  });

  test('ENRICH_FAILURE=reject answers 503 enrichment_failed without calling the app, and the retry is delivered', async () => {
    const sidecar = await sidecarWith({ ENRICH_FAILURE: 'reject' });
    genesys.failApi({ kind: 'status', status: 500 }, 2);
    const id = randomUUID();
    const body = purecloudEvent({ id, data: { id: randomUUID() } });
    const first = await send(sidecar, body);
    assert.equal(first.status, 503);
    assert.equal(first.json().error, 'enrichment_failed');
    assert.ok(Number(first.headers['retry-after']) > 0);
    assert.equal(received(id), undefined);

    const retry = await send(sidecar, body);
    assert.equal(retry.status, 200);
    assert.equal(received(id)?.headers['x-genesys-enrichment'], 'ok');
  });

  test('a slow Genesys API costs a webhook at most ENRICH_TIMEOUT_MS', async () => {
    const sidecar = await sidecarWith({ ENRICH_TIMEOUT_MS: '300' });
    genesys.failApi({ kind: 'delay', ms: 3000 }, 1);
    const id = randomUUID();
    const started = performance.now();
    assert.equal((await send(sidecar, purecloudEvent({ id, data: { id: randomUUID() } }))).status, 200);
    const tookMs = performance.now() - started;
    assert.ok(tookMs < 300 + 250, `answered after ${tookMs.toFixed(0)} ms`);
    assert.equal(received(id)?.headers['x-genesys-enrichment'], 'failed');
  });

  test('slow enrichment plus a slow app still answers the sender inside its 10 s', async () => {
    const sidecar = await sidecarWith({ ENRICH_TIMEOUT_MS: '1500', UPSTREAM_TIMEOUT_MS: '9500' });
    genesys.failApi({ kind: 'delay', ms: 5000 }, 1);
    app.answerWith(() => ({ delayMs: 12_000 }));
    const started = performance.now();
    const answer = await send(sidecar, purecloudEvent({ data: { id: randomUUID() } }));
    const tookMs = performance.now() - started;
    assert.equal(answer.status, 504);
    assert.ok(tookMs < 9500, `answered after ${tookMs.toFixed(0)} ms`);
  });
});
