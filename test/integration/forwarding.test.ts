import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, afterEach, before, describe, test } from 'node:test';

import { purecloudEvent, purecloudSignature, SECRET } from '../helpers/events.js';
import { get, post } from '../helpers/post.js';
import { startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { startTestSidecar, type TestSidecar } from '../helpers/test-sidecar.js';

const SIGNATURE = 'x-purecloud-webhook-signature';
const signed = (body: Buffer | string) => ({ [SIGNATURE]: purecloudSignature(body) });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function postWithNodeHttp(url: string, body: Buffer, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const sent = httpRequest(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        res.resume().on('end', () => resolve(res.statusCode!));
      },
    );
    sent.on('error', reject).end(body);
  });
}

describe('forwarding to the app', () => {
  let app: RecordingUpstream;
  let sidecar: TestSidecar;
  let endpoint: string;

  before(async () => {
    app = await startRecordingUpstream();
    sidecar = await startTestSidecar({
      UPSTREAM_URL: `${app.url}/base/`,
      GENESYS_WEBHOOK_SECRET: SECRET,
      WEBHOOK_PATHS: '/webhook/genesys, /hooks/other',
      UPSTREAM_TIMEOUT_MS: '1000',
    });
    endpoint = `${sidecar.webhookUrl}/webhook/genesys`;
  });
  afterEach(() => app.answerWith(() => ({})));
  after(async () => {
    await sidecar.close();
    await app.close();
  });

  const lastRequestFor = (body: Buffer) => app.requests.filter((r) => r.body.equals(body)).at(-1);

  test('keeps the path and query under UPSTREAM_URL and the exact body bytes', async () => {
    // Odd spacing and key order must survive byte for byte: the app may verify the signature itself.
    const body = Buffer.from(`{ "id":"${Date.now()}",\n "type":"t", "data":{}, "timestamp":"2026-01-01T00:00:00Z"}`);
    const answer = await post(`${sidecar.webhookUrl}/hooks/other?tenant=a&x=%20`, body, signed(body));
    assert.equal(answer.status, 200);
    const seen = lastRequestFor(body);
    assert.ok(seen);
    assert.equal(seen.url, '/base/hooks/other?tenant=a&x=%20');
    assert.equal(seen.method, 'POST');
    assert.equal(seen.headers['content-length'], String(body.length));
  });

  test('drops hop-by-hop and forged X-Genesys-* headers and adds the verified facts', async () => {
    const body = purecloudEvent({ id: 'headers-1', type: 'routing:queue' });
    // node:http, because undici rewrites a Connection header that names other fields.
    await postWithNodeHttp(endpoint, body, {
      ...signed(body),
      connection: 'keep-alive, x-hop',
      'x-hop': 'must not pass',
      'x-genesys-webhook-verified': 'forged',
      'x-genesys-anything': 'forged',
      'x-genesys_event-id': 'forged-with-underscore',
      'x-request-id': 'sender-request-7',
      'x-forwarded-for': '203.0.113.9',
      'x-custom': 'kept',
    });
    const seen = lastRequestFor(body)!.headers;
    assert.equal(seen['x-hop'], undefined);
    assert.equal(seen['x-genesys-anything'], undefined);
    assert.equal(seen['x-genesys_event-id'], undefined);
    assert.equal(seen['x-genesys-webhook-verified'], 'true');
    assert.equal(seen['x-genesys-event-id'], 'headers-1');
    assert.equal(seen['x-genesys-event-type'], 'routing:queue');
    assert.equal(seen['x-request-id'], 'sender-request-7');
    assert.equal(seen['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
    assert.equal(seen['x-forwarded-proto'], 'http');
    assert.equal(seen['x-forwarded-host'], new URL(sidecar.webhookUrl).host);
    assert.equal(seen['x-custom'], 'kept');
    assert.equal(seen[SIGNATURE], purecloudSignature(body));
  });

  test('generates an X-Request-Id when the sender gave none, and returns it to the sender', async () => {
    const body = purecloudEvent();
    const answer = await post(endpoint, body, signed(body));
    const seen = lastRequestFor(body)!.headers['x-request-id'];
    assert.match(String(seen), /^[0-9a-f-]{36}$/);
    assert.equal(answer.headers['x-request-id'], seen);
  });

  test('five concurrent copies of one event reach the app exactly once; the rest are told to retry', async () => {
    app.answerWith(() => ({ delayMs: 150 }));
    const body = purecloudEvent({ id: 'concurrent-5' });
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(endpoint, body, signed(body))));
    const statuses = answers.map((a) => a.status).sort();
    assert.deepEqual(statuses, [200, 503, 503, 503, 503]);
    assert.equal(app.requests.filter((r) => r.headers['x-genesys-event-id'] === 'concurrent-5').length, 1);

    const retry = await post(endpoint, body, signed(body));
    assert.deepEqual(retry.json(), { status: 'duplicate', event_id: 'concurrent-5' });
  });

  test("an app 500 goes back to the sender as is and the sender's retry is delivered again", async () => {
    app.answerWith(() => ({ status: 500, body: '{"oops":true}' }));
    const body = purecloudEvent();
    const first = await post(endpoint, body, signed(body));
    assert.equal(first.status, 500);
    assert.equal(first.text, '{"oops":true}');

    app.answerWith(() => ({}));
    const retry = await post(endpoint, body, signed(body));
    assert.equal(retry.status, 200);
    assert.equal(app.requests.filter((r) => r.body.equals(body)).length, 2);
  });

  test("an app that resets the connection gives 502 and the sender's retry is delivered", async () => {
    app.answerWith(() => ({ reset: true }));
    const body = purecloudEvent();
    const first = await post(endpoint, body, signed(body));
    assert.equal(first.status, 502);
    assert.equal(first.json().error, 'upstream_unavailable');

    app.answerWith(() => ({}));
    assert.equal((await post(endpoint, body, signed(body))).status, 200);
  });

  test("a timed-out forward is released, so the sender's retry is delivered", async () => {
    app.answerWith(() => ({ delayMs: 1300 }));
    const body = purecloudEvent();
    assert.equal((await post(endpoint, body, signed(body))).status, 504);
    app.answerWith(() => ({}));
    assert.equal((await post(endpoint, body, signed(body))).status, 200);
  });

  test('a sender that hangs up mid-forward does not cancel it: the app gets it and the retry is a duplicate', async () => {
    app.answerWith(() => ({ delayMs: 200 }));
    const body = purecloudEvent({ id: 'hang-up-1' });
    const { port } = new URL(sidecar.webhookUrl);
    const abandoned = httpRequest({
      host: '127.0.0.1',
      port,
      path: '/webhook/genesys',
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signed(body) },
    });
    abandoned.on('error', () => undefined);
    abandoned.end(body);
    await sleep(80);
    abandoned.destroy();

    await sleep(400);
    assert.equal(app.requests.filter((r) => r.headers['x-genesys-event-id'] === 'hang-up-1').length, 1);
    app.answerWith(() => ({}));
    const retry = await post(endpoint, body, signed(body));
    assert.deepEqual(retry.json(), { status: 'duplicate', event_id: 'hang-up-1' });
    const line = sidecar.logs.find((l) => l.eventId === 'hang-up-1' && l.outcome === 'delivered');
    assert.ok(line, 'the abandoned delivery is still logged');
  });

  test('the admin port serves health and metrics, and the webhook port does not', async () => {
    assert.equal((await get(`${sidecar.adminUrl}/livez`)).status, 200);
    assert.equal((await get(`${sidecar.adminUrl}/readyz`)).status, 200);
    const metrics = await get(`${sidecar.adminUrl}/metrics`);
    assert.match(metrics.text, /process_cpu_seconds_total/);
    assert.match(metrics.text, /nodejs_heap_size_used_bytes/);
    for (const path of ['/metrics', '/livez', '/readyz']) {
      assert.equal((await get(`${sidecar.webhookUrl}${path}`)).status, 404);
    }
  });
});
