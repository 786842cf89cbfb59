// Graceful drain of the built binary: what Kubernetes does to a pod on a rollout or scale-down.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { startBinary, waitForStatus } from '../helpers/binary.js';
import { purecloudEvent, purecloudSignature, SECRET } from '../helpers/events.js';
import { post } from '../helpers/post.js';
import { startRecordingUpstream } from '../helpers/recording-upstream.js';

async function startDraining(upstreamUrl: string, env: Record<string, string>) {
  const sidecar = await startBinary({ UPSTREAM_URL: upstreamUrl, GENESYS_WEBHOOK_SECRET: SECRET, ...env });
  const send = (body: Buffer) =>
    post(`${sidecar.webhookUrl}/webhook/genesys`, body, { 'x-purecloud-webhook-signature': purecloudSignature(body) });
  return { ...sidecar, readyz: `${sidecar.adminUrl}/readyz`, send };
}

describe('shutdown', () => {
  test('SIGTERM during a slow request: readiness flips at once, the port keeps serving, the request gets its answer, exit 0', async () => {
    const app = await startRecordingUpstream();
    app.answerWith((request) => ({ delayMs: request.headers['x-genesys-event-id'] === 'slow-1' ? 1500 : 0 }));
    const sidecar = await startDraining(app.url, { SHUTDOWN_DELAY_SECONDS: '1', SHUTDOWN_TIMEOUT_MS: '5000' });
    try {
      const slow = sidecar.send(purecloudEvent({ id: 'slow-1' }));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const signalledAt = performance.now();
      sidecar.child.kill('SIGTERM');

      await waitForStatus(sidecar.readyz, 503, 1000);
      const flippedMs = performance.now() - signalledAt;
      const during = await sidecar.send(purecloudEvent({ id: 'during-drain' }));
      assert.equal(during.status, 200, 'the webhook port still serves during the delay');
      assert.equal(during.headers.connection, 'close', 'and asks the client to reconnect elsewhere');

      const answer = await slow;
      assert.equal(answer.status, 200);
      const { code, stdout } = await sidecar.finished;
      assert.equal(code, 0);
      assert.ok(flippedMs < 1000, `readiness flipped after ${flippedMs.toFixed(0)} ms`);
      const messages = stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { msg: string }).msg);
      assert.ok(messages.indexOf('draining: not ready, still serving') < messages.indexOf('stopped'));
      assert.ok(app.requests.some((request) => request.headers['x-genesys-event-id'] === 'slow-1'));
    } finally {
      sidecar.child.kill('SIGKILL');
      await app.close();
    }
  });

  test('a second signal exits at once', async () => {
    const app = await startRecordingUpstream();
    const sidecar = await startDraining(app.url, { SHUTDOWN_DELAY_SECONDS: '30' });
    try {
      sidecar.child.kill('SIGTERM');
      await waitForStatus(sidecar.readyz, 503, 1000);
      const secondAt = performance.now();
      sidecar.child.kill('SIGINT');
      const { code } = await sidecar.finished;
      assert.equal(code, 130);
      assert.ok(performance.now() - secondAt < 2000);
    } finally {
      sidecar.child.kill('SIGKILL');
      await app.close();
    }
  });
});
