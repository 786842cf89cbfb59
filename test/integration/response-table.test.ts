// One test per row of the response table (README "Responses"), against the real sidecar and a real
// recording app, so that changing any row's status, reason or headers fails here.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { purecloudEvent, purecloudSignature, SECRET } from '../helpers/events.js';
import { get, post } from '../helpers/post.js';
import { startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { startTestSidecar, type TestSidecar } from '../helpers/test-sidecar.js';

const SIGNATURE = 'x-purecloud-webhook-signature';

describe('response table', () => {
  let app: RecordingUpstream;
  let sidecar: TestSidecar;
  let endpoint: string;

  before(async () => {
    app = await startRecordingUpstream();
    sidecar = await startTestSidecar({
      UPSTREAM_URL: app.url,
      GENESYS_WEBHOOK_SECRET: SECRET,
      MAX_BODY_BYTES: '4096',
      MAX_EVENT_AGE_SECONDS: '3600',
      UPSTREAM_TIMEOUT_MS: '500',
    });
    endpoint = `${sidecar.webhookUrl}/webhook/genesys`;
  });
  after(async () => {
    await sidecar.close();
    await app.close();
  });

  const signed = (body: Buffer | string) => ({ [SIGNATURE]: purecloudSignature(body) });

  async function expectRefusal(answer: Awaited<ReturnType<typeof post>>, status: number, reason: string) {
    assert.equal(answer.status, status);
    assert.match(String(answer.headers['content-type']), /application\/json/);
    const body = answer.json();
    assert.equal(body.error, reason);
    assert.equal(typeof body.message, 'string');
    assert.ok(String(body.message).length > 0);
  }

  test('a path outside WEBHOOK_PATHS gets 404 not_found', async () => {
    const body = purecloudEvent();
    await expectRefusal(await post(`${sidecar.webhookUrl}/other`, body, signed(body)), 404, 'not_found');
  });

  test('a GET gets 405 method_not_allowed with Allow: POST', async () => {
    const answer = await post(endpoint, '', {}, 'GET');
    await expectRefusal(answer, 405, 'method_not_allowed');
    assert.equal(answer.headers.allow, 'POST');
  });

  test('a non-JSON Content-Type gets 415 unsupported_media_type', async () => {
    const body = purecloudEvent();
    const answer = await post(endpoint, body, { ...signed(body), 'content-type': 'text/plain' });
    await expectRefusal(answer, 415, 'unsupported_media_type');
  });

  test('a body over MAX_BODY_BYTES gets 413 payload_too_large', async () => {
    const body = purecloudEvent({ data: { padding: 'x'.repeat(5000) } });
    await expectRefusal(await post(endpoint, body, signed(body)), 413, 'payload_too_large');
  });

  test('a request without the signature header gets 400 missing_signature', async () => {
    await expectRefusal(await post(endpoint, purecloudEvent()), 400, 'missing_signature');
  });

  test('a signature made with another secret gets 403 invalid_signature', async () => {
    const body = purecloudEvent();
    const answer = await post(endpoint, body, { [SIGNATURE]: purecloudSignature(body, 'not-the-secret') });
    await expectRefusal(answer, 403, 'invalid_signature');
  });

  test('a signature of the wrong length or alphabet gets 403, not 500', async () => {
    const body = purecloudEvent();
    for (const bad of ['abc', 'z'.repeat(64), 'sha256=', '=', purecloudSignature(body) + '00']) {
      await expectRefusal(await post(endpoint, body, { [SIGNATURE]: bad }), 403, 'invalid_signature');
    }
  });

  test('a signed body that is not JSON gets 400 malformed_json', async () => {
    const body = '{"id": "x", ';
    await expectRefusal(await post(endpoint, body, signed(body)), 400, 'malformed_json');
  });

  test('a signed body with invalid UTF-8 gets 400 malformed_json', async () => {
    const body = Buffer.concat([Buffer.from('{"id":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    await expectRefusal(await post(endpoint, body, signed(body)), 400, 'malformed_json');
  });

  test('a signed envelope missing fields gets 400 invalid_payload naming each field', async () => {
    const body = JSON.stringify({ id: 'e-1', type: 'conversation:updated', timestamp: 'yesterday' });
    const answer = await post(endpoint, body, signed(body));
    await expectRefusal(answer, 400, 'invalid_payload');
    assert.match(String(answer.json().message), /data/);
    assert.match(String(answer.json().message), /timestamp/);
  });

  test('signed JSON that is not an object gets 400 invalid_payload', async () => {
    for (const body of ['[1,2]', '"text"', '42', 'null']) {
      await expectRefusal(await post(endpoint, body, signed(body)), 400, 'invalid_payload');
    }
  });

  test('an event older than MAX_EVENT_AGE_SECONDS gets 400 stale_event', async () => {
    const body = purecloudEvent({ timestamp: new Date(Date.now() - 7200_000).toISOString() });
    await expectRefusal(await post(endpoint, body, signed(body)), 400, 'stale_event');
  });

  test('an event already delivered gets 200 duplicate with its id, and the app sees it once', async () => {
    const id = 'delivered-once';
    const body = purecloudEvent({ id });
    assert.equal((await post(endpoint, body, signed(body))).status, 200);
    const retry = await post(endpoint, body, signed(body));
    assert.equal(retry.status, 200);
    assert.deepEqual(retry.json(), { status: 'duplicate', event_id: id });
    assert.equal(app.requests.filter((r) => r.headers['x-genesys-event-id'] === id).length, 1);
  });

  test('a copy of an event in flight gets 503 in_flight with Retry-After', async () => {
    app.answerWith(() => ({ delayMs: 200 }));
    const body = purecloudEvent();
    const first = post(endpoint, body, signed(body));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const copy = await post(endpoint, body, signed(body));
    await expectRefusal(copy, 503, 'in_flight');
    assert.ok(Number(copy.headers['retry-after']) > 0);
    assert.equal((await first).status, 200);
    app.answerWith(() => ({}));
  });

  test('an app that answers slower than UPSTREAM_TIMEOUT_MS gets 504 upstream_timeout', async () => {
    app.answerWith(() => ({ delayMs: 1500 }));
    const body = purecloudEvent();
    await expectRefusal(await post(endpoint, body, signed(body)), 504, 'upstream_timeout');
    app.answerWith(() => ({}));
  });

  test("the app's status, headers and body are what the sender gets", async () => {
    app.answerWith(() => ({ status: 202, headers: { 'x-app': 'yes' }, body: '{"queued":1}' }));
    const body = purecloudEvent();
    const answer = await post(endpoint, body, signed(body));
    assert.equal(answer.status, 202);
    assert.equal(answer.headers['x-app'], 'yes');
    assert.equal(answer.text, '{"queued":1}');
    app.answerWith(() => ({}));
  });

  test('every refusal is counted under its reason on the admin port', async () => {
    const metrics = (await get(`${sidecar.adminUrl}/metrics`)).text;
    for (const reason of ['not_found', 'method_not_allowed', 'unsupported_media_type', 'payload_too_large']) {
      assert.match(metrics, new RegExp(`genesys_webhook_rejected_total\\{reason="${reason}"\\} [1-9]`));
    }
    for (const reason of [
      'missing_signature',
      'invalid_signature',
      'malformed_json',
      'invalid_payload',
      'stale_event',
    ]) {
      assert.match(metrics, new RegExp(`genesys_webhook_rejected_total\\{reason="${reason}"\\} [1-9]`));
    }
    assert.match(metrics, /genesys_webhook_failed_total\{reason="in_flight"\} [1-9]/);
    assert.match(metrics, /genesys_webhook_failed_total\{reason="upstream_timeout"\} [1-9]/);
    assert.match(metrics, /genesys_webhook_duplicates_total [1-9]/);
    assert.match(metrics, /genesys_webhook_accepted_total [1-9]/);
  });
});

describe('response table: states the shared sidecar cannot show', () => {
  test('with no usable secret, webhooks get 503 not_ready with Retry-After and /readyz is 503', async () => {
    const sidecar = await startTestSidecar({ UPSTREAM_URL: 'http://127.0.0.1:9' });
    try {
      const body = purecloudEvent();
      const answer = await post(`${sidecar.webhookUrl}/webhook/genesys`, body, {
        [SIGNATURE]: purecloudSignature(body),
      });
      assert.equal(answer.status, 503);
      assert.equal(answer.json().error, 'not_ready');
      assert.ok(Number(answer.headers['retry-after']) > 0);
      assert.equal((await get(`${sidecar.adminUrl}/readyz`)).status, 503);
      assert.equal((await get(`${sidecar.adminUrl}/livez`)).status, 200);
    } finally {
      await sidecar.close();
    }
  });

  test('an app that refuses connections gets 502 upstream_unavailable', async () => {
    const app = await startRecordingUpstream();
    const url = app.url;
    await app.close();
    const sidecar = await startTestSidecar({ UPSTREAM_URL: url, GENESYS_WEBHOOK_SECRET: SECRET });
    try {
      const body = purecloudEvent();
      const answer = await post(`${sidecar.webhookUrl}/webhook/genesys`, body, {
        [SIGNATURE]: purecloudSignature(body),
      });
      assert.equal(answer.status, 502);
      assert.equal(answer.json().error, 'upstream_unavailable');
      const metrics = (await get(`${sidecar.adminUrl}/metrics`)).text;
      assert.match(metrics, /genesys_webhook_failed_total\{reason="upstream_unavailable"\} 1/);
    } finally {
      await sidecar.close();
    }
  });
});
