import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { sign } from '../../src/signature/sign.js';
import { purecloudEvent, purecloudSignature, SECRET } from '../helpers/events.js';
import { post } from '../helpers/post.js';
import { openRaw } from '../helpers/raw-http.js';
import { startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { startTestSidecar, type TestSidecar } from '../helpers/test-sidecar.js';

const MAX_BODY_BYTES = 8192;

function chunk(data: string | Buffer): string {
  const bytes = Buffer.from(data);
  return `${bytes.length.toString(16)}\r\n${bytes.toString('latin1')}\r\n`;
}

describe('reading bodies', () => {
  let app: RecordingUpstream;
  let sidecar: TestSidecar;

  before(async () => {
    app = await startRecordingUpstream();
    sidecar = await startTestSidecar({
      UPSTREAM_URL: app.url,
      GENESYS_WEBHOOK_SECRET: SECRET,
      MAX_BODY_BYTES: String(MAX_BODY_BYTES),
    });
  });
  after(async () => {
    await sidecar.close();
    await app.close();
  });

  const head = (extra: string) =>
    `POST /webhook/genesys HTTP/1.1\r\nHost: sidecar\r\nContent-Type: application/json\r\n${extra}\r\n`;

  test('a chunked body arriving in pieces is verified over the joined bytes and delivered whole', async () => {
    const body = purecloudEvent();
    const raw = await openRaw(sidecar.webhookUrl);
    raw.socket.write(
      head(`Transfer-Encoding: chunked\r\nX-PureCloud-Webhook-Signature: ${purecloudSignature(body)}\r\n`),
    );
    for (let offset = 0; offset < body.length; offset += 17)
      raw.socket.write(chunk(body.subarray(offset, offset + 17)));
    raw.socket.write('0\r\n\r\n');

    assert.match(await raw.head(), /^HTTP\/1\.1 200 /);
    raw.socket.destroy();
    const seen = app.requests.find((r) => r.body.equals(body));
    assert.ok(seen, 'the app received the exact joined bytes');
    assert.equal(seen.headers['transfer-encoding'], undefined);
    assert.equal(seen.headers['content-length'], String(body.length));
  });

  test('a chunked body is answered 413 as soon as it passes the limit, before the sender finishes', async () => {
    const raw = await openRaw(sidecar.webhookUrl);
    raw.socket.write(head('Transfer-Encoding: chunked\r\nX-PureCloud-Webhook-Signature: 00\r\n'));
    raw.socket.write(chunk('{"pad":"' + 'x'.repeat(MAX_BODY_BYTES) + '"'));
    // The terminating chunk is never sent: the answer must not wait for it.
    const answer = await raw.head();
    assert.match(answer, /^HTTP\/1\.1 413 /);
    assert.match(answer, /connection: close/i);
    await raw.closed(5000);
    assert.match(raw.received(), /"error":"payload_too_large"/);
  });

  test('a declared Content-Length over the limit is refused before any body byte is sent', async () => {
    const raw = await openRaw(sidecar.webhookUrl);
    raw.socket.write(head(`Content-Length: ${MAX_BODY_BYTES + 1}\r\nX-PureCloud-Webhook-Signature: 00\r\n`));
    assert.match(await raw.head(), /^HTTP\/1\.1 413 /);
    await raw.closed(5000);
  });

  test('a body exactly at the limit is accepted', async () => {
    const base = purecloudEvent({ data: { pad: '' } });
    const body = Buffer.from(
      base.toString().replace('"pad":""', `"pad":"${'y'.repeat(MAX_BODY_BYTES - base.length)}"`),
    );
    assert.equal(body.length, MAX_BODY_BYTES);
    const answer = await post(`${sidecar.webhookUrl}/webhook/genesys`, body, {
      'x-purecloud-webhook-signature': purecloudSignature(body),
    });
    assert.equal(answer.status, 200);
  });

  test('a sender that never finishes its headers is disconnected within 15 s; an idle keep-alive one is not', async () => {
    const idle = await openRaw(sidecar.webhookUrl);
    idle.socket.write('GET /livez HTTP/1.1\r\nHost: sidecar\r\n\r\n');
    assert.match(await idle.head(), /^HTTP\/1\.1 404 /);

    const slow = await openRaw(sidecar.webhookUrl);
    slow.socket.write('POST /webhook/genesys HTTP/1.1\r\nHost: sidecar\r\nX-Slow: ');
    const tookMs = await slow.closed(15_000);
    assert.ok(tookMs < 15_000, `closed after ${tookMs} ms`);
    assert.equal(slow.received(), '', 'closed without a 408, which Genesys would take as final');

    // Idle for as long as the slow sender was given: keep-alive must outlast the header deadline.
    assert.equal(idle.socket.destroyed, false);
    idle.socket.write('GET /other HTTP/1.1\r\nHost: sidecar\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(idle.received().match(/HTTP\/1\.1 404 /g)?.length, 2);
    idle.socket.destroy();
  });
});

describe('hostile JSON', () => {
  test('a __proto__ key and half a million nested brackets neither crash nor pollute, and the next request is served', async () => {
    const app = await startRecordingUpstream();
    const sidecar = await startTestSidecar({
      UPSTREAM_URL: app.url,
      GENESYS_WEBHOOK_SECRET: SECRET,
      SIGNATURE_PROFILE: 'custom',
      SIGNATURE_HEADER: 'X-Signature',
      SIGNATURE_ENCODING: 'hex',
    });
    const endpoint = `${sidecar.webhookUrl}/webhook/genesys`;
    const signed = (body: Buffer) => ({ 'x-signature': sign(body, SECRET, { encoding: 'hex', prefixed: false }) });
    try {
      const polluting = Buffer.from(
        '{"id":"proto-1","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
      );
      assert.equal((await post(endpoint, polluting, signed(polluting))).status, 200);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);

      const depth = 500_000;
      const deepArray = Buffer.from('['.repeat(depth) + ']'.repeat(depth));
      const deepObject = Buffer.from('{"id":"deep-1","x":' + '['.repeat(depth) + ']'.repeat(depth) + '}');
      assert.equal((await post(endpoint, deepArray, signed(deepArray))).status, 400);
      assert.equal((await post(endpoint, deepObject, signed(deepObject))).status, 200);

      const next = Buffer.from('{"id":"after-hostile"}');
      assert.equal((await post(endpoint, next, signed(next))).status, 200);
      assert.ok(
        app.requests.some((r) => r.body.equals(deepObject)),
        'the deep body was forwarded byte for byte',
      );
    } finally {
      await sidecar.close();
      await app.close();
    }
  });
});
