import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { sign } from '../../src/signature/sign.js';
import { openMessagingSignature, purecloudEvent, SECRET } from '../helpers/events.js';
import { post } from '../helpers/post.js';
import { startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { makeSecretVolume } from '../helpers/secret-volume.js';
import { startTestSidecar, type TestSidecar } from '../helpers/test-sidecar.js';
import { OPEN_MESSAGING_VECTOR } from '../helpers/fixtures.js';

// The published vector: compiled tests live in dist/test/integration, the shared folder beside the repo.
const VECTOR_BODY = readFileSync(OPEN_MESSAGING_VECTOR.file);
const VECTOR_SECRET = 'MySecretToken-123';
const VECTOR_SIGNATURE = 'sha256=MYcWV7qB29cqJNbccMvhGIBMV2acKLr+rNPMre71wBU=';

describe('profiles', () => {
  let app: RecordingUpstream;
  const sidecars: TestSidecar[] = [];

  before(async () => {
    app = await startRecordingUpstream();
  });
  after(async () => {
    await Promise.all(sidecars.map((sidecar) => sidecar.close()));
    await app.close();
  });

  async function endpointFor(env: Record<string, string>): Promise<string> {
    const sidecar = await startTestSidecar({ UPSTREAM_URL: app.url, ...env });
    sidecars.push(sidecar);
    return `${sidecar.webhookUrl}/webhook/genesys`;
  }

  test('open-messaging: the published Open Messaging vector verifies and reaches the app', async () => {
    assert.equal(VECTOR_BODY.length, 522);
    const endpoint = await endpointFor({ SIGNATURE_PROFILE: 'open-messaging', GENESYS_WEBHOOK_SECRET: VECTOR_SECRET });
    const answer = await post(endpoint, VECTOR_BODY, { 'x-hub-signature-256': VECTOR_SIGNATURE });
    assert.equal(answer.status, 200);
    const seen = app.requests.find((r) => r.body.equals(VECTOR_BODY));
    assert.ok(seen);
    assert.equal(seen.headers['x-genesys-event-id'], 'c327c2078ca056db130c55ce648d9fa2');
    assert.equal(seen.headers['x-genesys-event-type'], 'Text');

    const retry = await post(endpoint, VECTOR_BODY, { 'x-hub-signature-256': VECTOR_SIGNATURE });
    assert.equal(retry.json().status, 'duplicate');
  });

  test('open-messaging: receipts that reuse a message id with another status are each delivered', async () => {
    const endpoint = await endpointFor({ SIGNATURE_PROFILE: 'open-messaging', GENESYS_WEBHOOK_SECRET: SECRET });
    const receipt = (status: string) =>
      Buffer.from(JSON.stringify({ id: 'msg-77', type: 'Receipt', status, direction: 'Outbound' }));
    for (const status of ['Sent', 'Delivered', 'Read']) {
      const body = receipt(status);
      assert.equal((await post(endpoint, body, { 'x-hub-signature-256': openMessagingSignature(body) })).status, 200);
    }
    assert.equal(app.requests.filter((r) => r.headers['x-genesys-event-id'] === 'msg-77').length, 3);
  });

  test('open-messaging: a known field of the wrong type is refused and named', async () => {
    const endpoint = await endpointFor({ SIGNATURE_PROFILE: 'open-messaging', GENESYS_WEBHOOK_SECRET: SECRET });
    const body = Buffer.from(JSON.stringify({ id: 'm', type: 'Fax', isFinalReceipt: 'yes' }));
    const answer = await post(endpoint, body, { 'x-hub-signature-256': openMessagingSignature(body) });
    assert.equal(answer.status, 400);
    assert.match(String(answer.json().message), /type/);
    assert.match(String(answer.json().message), /isFinalReceipt/);
  });

  test('open-messaging: a purecloud-style hex signature in the wrong header is missing_signature', async () => {
    const endpoint = await endpointFor({ SIGNATURE_PROFILE: 'open-messaging', GENESYS_WEBHOOK_SECRET: SECRET });
    const body = Buffer.from('{"id":"m1"}');
    const answer = await post(endpoint, body, {
      'x-purecloud-webhook-signature': sign(body, SECRET, { encoding: 'hex', prefixed: false }),
    });
    assert.equal(answer.json().error, 'missing_signature');
  });

  test('purecloud: upper-case hex and a sha256= prefix are accepted', async () => {
    const endpoint = await endpointFor({ GENESYS_WEBHOOK_SECRET: SECRET });
    const body = purecloudEvent();
    const hex = sign(body, SECRET, { encoding: 'hex', prefixed: false });
    assert.equal(
      (await post(endpoint, body, { 'x-purecloud-webhook-signature': `sha256=${hex.toUpperCase()}` })).status,
      200,
    );
  });

  test('purecloud with SIGNATURE_HEADER and SIGNATURE_ENCODING overrides verifies base64 in the new header', async () => {
    const endpoint = await endpointFor({
      GENESYS_WEBHOOK_SECRET: SECRET,
      SIGNATURE_HEADER: 'X-Sig',
      SIGNATURE_ENCODING: 'base64',
    });
    const body = purecloudEvent();
    const base64 = sign(body, SECRET, { encoding: 'base64', prefixed: false });
    assert.equal((await post(endpoint, body, { 'x-sig': base64 })).status, 200);
    const hexInOldHeader = sign(body, SECRET, { encoding: 'hex', prefixed: false });
    assert.equal(
      (await post(endpoint, body, { 'x-purecloud-webhook-signature': hexInOldHeader })).json().error,
      'missing_signature',
    );
  });

  test('custom: any JSON object passes, keyed by id when present and by body hash otherwise', async () => {
    const endpoint = await endpointFor({
      SIGNATURE_PROFILE: 'custom',
      SIGNATURE_HEADER: 'X-Custom-Signature',
      SIGNATURE_ENCODING: 'base64',
      GENESYS_WEBHOOK_SECRET: SECRET,
    });
    const signed = (body: Buffer) => ({
      'x-custom-signature': sign(body, SECRET, { encoding: 'base64', prefixed: true }),
    });

    const withId = Buffer.from('{"id":"c-1","anything":[1,2,3]}');
    const sameIdOtherBytes = Buffer.from('{"id":"c-1","anything":[4]}');
    assert.equal((await post(endpoint, withId, signed(withId))).status, 200);
    assert.equal((await post(endpoint, sameIdOtherBytes, signed(sameIdOtherBytes))).json().status, 'duplicate');

    const withoutId = Buffer.from('{"note":"no id"}');
    assert.equal((await post(endpoint, withoutId, signed(withoutId))).status, 200);
    assert.equal((await post(endpoint, withoutId, signed(withoutId))).json().status, 'duplicate');
    const otherWithoutId = Buffer.from('{"note":"another"}');
    assert.equal((await post(endpoint, otherWithoutId, signed(otherWithoutId))).status, 200);
  });

  test('a secret from a kubelet-style Secret volume and the inline secret are both accepted', async () => {
    const volume = await makeSecretVolume({ current: 'volume-secret\n', previous: 'older-secret\r\n' });
    try {
      const endpoint = await endpointFor({ WEBHOOK_SECRET_PATH: volume.path, GENESYS_WEBHOOK_SECRET: 'inline-secret' });
      for (const secret of ['volume-secret', 'older-secret', 'inline-secret']) {
        const body = purecloudEvent();
        const header = sign(body, secret, { encoding: 'hex', prefixed: false });
        assert.equal((await post(endpoint, body, { 'x-purecloud-webhook-signature': header })).status, 200, secret);
      }
    } finally {
      await volume.remove();
    }
  });
});
