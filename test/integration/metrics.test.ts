// Every metric of the contract, scraped from the admin port after real traffic.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { purecloudEvent, purecloudSignature } from '../helpers/events.js';
import { sampleValue } from '../helpers/metrics.js';
import { get, post } from '../helpers/post.js';
import { startRecordingUpstream } from '../helpers/recording-upstream.js';
import { makeSecretVolume } from '../helpers/secret-volume.js';
import { startTestSidecar } from '../helpers/test-sidecar.js';

const SECRET = 'metrics-secret';

test('after delivered, duplicate, rejected, failed and app-error traffic every documented metric is exported', async () => {
  const app = await startRecordingUpstream();
  app.answerWith((request) => ({ status: request.headers['x-genesys-event-id'] === 'app-says-no' ? 422 : 200 }));
  const volume = await makeSecretVolume({ current: SECRET });
  const sidecar = await startTestSidecar({ UPSTREAM_URL: app.url, WEBHOOK_SECRET_PATH: volume.path });
  const endpoint = `${sidecar.webhookUrl}/webhook/genesys`;
  const send = (body: Buffer, secret = SECRET) =>
    post(endpoint, body, { 'x-purecloud-webhook-signature': purecloudSignature(body, secret) });
  try {
    const delivered = purecloudEvent();
    assert.equal((await send(delivered)).status, 200);
    assert.equal((await send(delivered)).status, 200);
    assert.equal((await send(purecloudEvent(), 'wrong')).status, 403);
    assert.equal((await send(purecloudEvent({ id: 'app-says-no' }))).status, 422);
    assert.equal((await post(`${sidecar.webhookUrl}/elsewhere`, '{}')).status, 404);

    const text = (await get(`${sidecar.adminUrl}/metrics`)).text;
    const value = (name: string, labels = '') => sampleValue(text, name, labels);
    assert.equal(value('genesys_webhook_accepted_total'), 1);
    assert.equal(value('genesys_webhook_duplicates_total'), 1);
    assert.equal(value('genesys_webhook_rejected_total', 'reason="invalid_signature"'), 1);
    assert.equal(value('genesys_webhook_rejected_total', 'reason="not_found"'), 1);
    assert.equal(
      value('genesys_webhook_rejected_total', 'reason="stale_event"'),
      0,
      'every reason exists from the start',
    );
    assert.equal(value('genesys_webhook_failed_total', 'reason="upstream_timeout"'), 0);
    assert.equal(value('genesys_webhook_upstream_responses_total', 'code="2xx"'), 1);
    assert.equal(value('genesys_webhook_upstream_responses_total', 'code="4xx"'), 1);
    assert.equal(value('genesys_webhook_request_duration_seconds_count', 'outcome="delivered"'), 1);
    assert.equal(value('genesys_webhook_request_duration_seconds_count', 'outcome="app_error"'), 1);
    assert.equal(value('genesys_webhook_request_duration_seconds_count', 'outcome="rejected"'), 2);
    assert.equal(
      value('genesys_webhook_request_duration_seconds_bucket', 'le="0.0005",outcome="duplicate"') !== undefined,
      true,
    );
    assert.equal(value('genesys_webhook_upstream_duration_seconds_count'), 2);
    assert.equal(value('genesys_webhook_in_flight_requests'), 0);
    assert.equal(value('genesys_webhook_dedupe_entries'), 1);
    assert.equal(value('genesys_webhook_secrets_loaded'), 1);
    assert.equal(value('genesys_webhook_secret_reloads_total', 'result="success"'), 1);
    assert.equal(value('genesys_webhook_secret_reloads_total', 'result="failed"'), 0);
    const reloadedAt = value('genesys_webhook_secret_last_reload_timestamp_seconds') ?? 0;
    assert.ok(Math.abs(reloadedAt - Date.now() / 1000) < 60, `last reload ${reloadedAt} is recent`);
    assert.ok((value('process_resident_memory_bytes') ?? 0) > 0);
    assert.ok(value('nodejs_eventloop_lag_seconds') !== undefined);
    assert.doesNotMatch(text, /app-says-no/, 'no event id ever becomes a label');
  } finally {
    await sidecar.close();
    await volume.remove();
    await app.close();
  }
});

test('the in-flight gauge counts requests while the app is still answering them', async () => {
  const app = await startRecordingUpstream();
  app.answerWith(() => ({ status: 200, delayMs: 400 }));
  const sidecar = await startTestSidecar({ UPSTREAM_URL: app.url, GENESYS_WEBHOOK_SECRET: SECRET });
  const endpoint = `${sidecar.webhookUrl}/webhook/genesys`;
  const send = (body: Buffer) =>
    post(endpoint, body, { 'x-purecloud-webhook-signature': purecloudSignature(body, SECRET) });
  try {
    const answers = Promise.all([send(purecloudEvent()), send(purecloudEvent())]);
    while (app.requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    const during = (await get(`${sidecar.adminUrl}/metrics`)).text;
    assert.equal(sampleValue(during, 'genesys_webhook_in_flight_requests'), 2);
    assert.deepEqual(
      (await answers).map((answer) => answer.status),
      [200, 200],
    );
    const after = (await get(`${sidecar.adminUrl}/metrics`)).text;
    assert.equal(sampleValue(after, 'genesys_webhook_in_flight_requests'), 0);
  } finally {
    await sidecar.close();
    await app.close();
  }
});
