// The built binary, started the way users start it: settings from the environment, signals to stop.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { describe, test } from 'node:test';

import { runCli, startBinary } from '../helpers/binary.js';
import { purecloudEvent, purecloudSignature, SECRET } from '../helpers/events.js';
import { post } from '../helpers/post.js';
import { startRecordingUpstream } from '../helpers/recording-upstream.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

describe('the genesys-webhook-sidecar binary', () => {
  test('invalid settings exit 2 with one message naming every bad setting', async () => {
    const result = await runCli([], {
      UPSTREAM_URL: 'not a url',
      LISTEN_PORT: '99999',
      SIGNATURE_PROFILE: 'github',
      MAX_BODY_BYTES: 'lots',
      GENESYS_WEBHOOK_SECRET: 'do-not-print-me',
      UPSTREAM_TIMEOUT_MS: '12000',
    });
    assert.equal(result.code, 2);
    for (const name of ['UPSTREAM_URL', 'LISTEN_PORT', 'SIGNATURE_PROFILE', 'MAX_BODY_BYTES', 'UPSTREAM_TIMEOUT_MS']) {
      assert.match(result.stderr, new RegExp(`${name}=`), `${name} is reported`);
    }
    assert.doesNotMatch(result.stderr + result.stdout, /do-not-print-me/);
    assert.equal(result.stdout, '');
  });

  test('--version prints the package version and --help the usage', async () => {
    assert.equal((await runCli(['--version'])).stdout.trim(), VERSION);
    const help = await runCli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /sign/);
  });

  test('an unknown command exits 2 with the usage', async () => {
    const result = await runCli(['serve']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown command/);
  });

  test('sign prints the header that the running sidecar accepts, and a curl command on request', async () => {
    const body = '{"id":"cli-1","type":"t","data":{},"timestamp":"2026-01-01T00:00:00Z"}';
    const signed = await runCli(['sign', '--secret', SECRET], {}, body);
    assert.equal(signed.code, 0);
    assert.equal(signed.stdout.trim(), `X-Purecloud-Webhook-Signature: ${purecloudSignature(body)}`);

    const curl = await runCli(
      ['sign', '--curl', 'http://127.0.0.1:8080/webhook/genesys'],
      { GENESYS_WEBHOOK_SECRET: SECRET },
      body,
    );
    assert.match(curl.stdout, /^curl /);
    assert.ok(curl.stdout.includes(purecloudSignature(body)));
  });

  test('runs, delivers a signed event, logs JSON lines without secrets, and exits 0 on SIGTERM', async () => {
    const app = await startRecordingUpstream();
    const sidecar = await startBinary({ UPSTREAM_URL: app.url, GENESYS_WEBHOOK_SECRET: SECRET });
    const body = purecloudEvent({ id: 'e2e-1' });
    const signature = purecloudSignature(body);
    try {
      const answer = await post(`${sidecar.webhookUrl}/webhook/genesys`, body, {
        'x-purecloud-webhook-signature': signature,
      });
      assert.equal(answer.status, 200);
      assert.equal(app.requests.length, 1);
    } finally {
      sidecar.child.kill('SIGTERM');
      await app.close();
    }
    const { code, stdout } = await sidecar.finished;
    assert.equal(code, 0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const delivered = lines.find((line) => line.eventId === 'e2e-1');
    assert.equal(delivered?.level, 'info');
    assert.equal(delivered?.status, 200);
    assert.ok(lines.some((line) => line.msg === 'stopped'));
    for (const secretThing of [SECRET, signature, body.toString()]) assert.ok(!stdout.includes(secretThing));
  });

  test('a port already in use stops the process with exit 1 and the reason', { timeout: 10_000 }, async () => {
    const busy = createServer().listen(0, '127.0.0.1');
    await once(busy, 'listening');
    const { port } = busy.address() as AddressInfo;
    try {
      const result = await runCli([], {
        LISTEN_HOST: '127.0.0.1',
        ADMIN_PORT: String(port),
        LISTEN_PORT: String(port + 1),
      });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /EADDRINUSE/);
    } finally {
      busy.close();
    }
  });
});
