// The built binary with SECRET_SOURCE=kubernetes, reaching a stand-in API server through a kubeconfig,
// rotated the documented way while signed requests flow.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { startBinary } from '../helpers/binary.js';
import { purecloudEvent, purecloudSignature } from '../helpers/events.js';
import { FakeKubeApi, writeKubeconfig } from '../helpers/fake-kube-api.js';
import { sampleValue } from '../helpers/metrics.js';
import { get, post } from '../helpers/post.js';
import { startRecordingUpstream } from '../helpers/recording-upstream.js';

test('a Secret rotated through the Kubernetes API lands within a second and no request is refused', async () => {
  const api = await FakeKubeApi.start();
  const kubeconfig = await writeKubeconfig(api.url, 'payments');
  const app = await startRecordingUpstream();
  api.setSecret('payments', 'genesys-webhook', { current: 'old-token' });
  const sidecar = await startBinary({
    KUBECONFIG: kubeconfig.path,
    SECRET_SOURCE: 'kubernetes',
    SECRET_NAME: 'genesys-webhook',
    UPSTREAM_URL: app.url,
  });
  const send = (secret: string) => {
    const body = purecloudEvent();
    return post(`${sidecar.webhookUrl}/webhook/genesys`, body, {
      'x-purecloud-webhook-signature': purecloudSignature(body, secret),
    });
  };
  const successfulReloads = async () =>
    sampleValue(
      (await get(`${sidecar.adminUrl}/metrics`)).text,
      'genesys_webhook_secret_reloads_total',
      'result="success"',
    ) ?? 0;

  try {
    let signingSecret = 'old-token';
    let running = true;
    const statuses: number[] = [];
    const traffic = (async () => {
      while (running) statuses.push((await send(signingSecret)).status);
    })();

    const before = await successfulReloads();
    const addedAt = performance.now();
    api.setSecret('payments', 'genesys-webhook', { current: 'old-token', next: 'new-token' });
    while ((await successfulReloads()) === before) await new Promise((resolve) => setTimeout(resolve, 10));
    const landedMs = performance.now() - addedAt;
    signingSecret = 'new-token';
    await new Promise((resolve) => setTimeout(resolve, 200));
    api.setSecret('payments', 'genesys-webhook', { next: 'new-token' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    running = false;
    await traffic;

    assert.ok(landedMs < 1000, `the new key was accepted ${landedMs.toFixed(0)} ms after the change`);
    assert.ok(statuses.length > 20);
    assert.deepEqual(
      statuses.filter((status) => status !== 200),
      [],
    );
    assert.equal((await send('old-token')).status, 403);
  } finally {
    sidecar.child.kill('SIGTERM');
    const { code, stdout } = await sidecar.finished;
    assert.equal(code, 0);
    assert.ok(!stdout.includes('old-token') && !stdout.includes('new-token'), 'no secret value is logged');
    await app.close();
    await api.close();
    await kubeconfig.remove();
  }
});
