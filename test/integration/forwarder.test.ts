import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';

import { Forwarder, type ForwardRequest } from '../../src/upstream/forwarder.js';

type Route = (request: IncomingMessage, response: ServerResponse) => void;

describe('Forwarder against a real app', () => {
  const routes = new Map<string, Route>();
  const closedMidAnswer: string[] = [];
  let app: Server;
  let forwarder: Forwarder;

  before(async () => {
    app = createServer((request, response) => {
      request.resume();
      request.on('end', () => routes.get(request.url!)!(request, response));
      response.on('close', () => {
        if (!response.writableFinished) closedMidAnswer.push(request.url!);
      });
    });
    app.listen(0, '127.0.0.1');
    await once(app, 'listening');
    const { port } = app.address() as AddressInfo;
    forwarder = new Forwarder(new URL(`http://127.0.0.1:${port}/base/`), 5_000);
  });
  after(async () => {
    await forwarder.close();
    app.closeAllConnections();
    app.close();
  });

  const request = (pathAndQuery: string): ForwardRequest => ({
    method: 'POST',
    pathAndQuery,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from('{"id":"1"}'),
  });

  test("returns the app's status and body, without its hop-by-hop headers", async () => {
    routes.set('/base/ok?x=1', (_request, response) => {
      response.writeHead(201, {
        'x-app': 'yes',
        'x-hop': 'connection-specific',
        'keep-alive': 'timeout=5',
        connection: 'keep-alive, x-hop',
      });
      response.end('{"stored":true}');
    });
    const result = await forwarder.forward(request('/ok?x=1'), 2_000);
    assert.equal(result.kind, 'answered');
    assert.ok(result.kind === 'answered');
    assert.equal(result.status, 201);
    assert.equal(result.body.toString(), '{"stored":true}');
    assert.equal(result.headers['x-app'], 'yes');
    for (const name of ['keep-alive', 'connection', 'x-hop', 'content-length']) {
      assert.equal(result.headers[name], undefined, name);
    }
  });

  test('an answer over 10 MiB is refused as unavailable and its connection is dropped', async () => {
    routes.set('/base/huge', (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      const piece = Buffer.alloc(1024 * 1024, 0x61);
      let sent = 0;
      const more = (): void => {
        while (sent < 12 && response.write(piece)) sent++;
        if (sent < 12) response.once('drain', more);
        else response.end();
      };
      more();
    });
    const result = await forwarder.forward(request('/huge'), 4_000);
    assert.deepEqual(result, { kind: 'unavailable', detail: "the app's answer exceeded 10485760 bytes" });
  });

  test('an app that never answers times out at the deadline, and the request to it is abandoned', async () => {
    let arrived = 0;
    routes.set('/base/silent', () => {
      arrived++;
    });
    const started = performance.now();
    const result = await forwarder.forward(request('/silent'), 300);
    const tookMs = performance.now() - started;
    assert.deepEqual(result, { kind: 'timeout' });
    assert.equal(arrived, 1);
    assert.ok(tookMs >= 290 && tookMs < 3_000, `took ${tookMs} ms`);
    await waitFor(() => closedMidAnswer.includes('/base/silent'));
  });

  test('an app that is not listening is unavailable, named by the error code', async () => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    probe.close();
    await once(probe, 'close');
    const nowhere = new Forwarder(new URL(`http://127.0.0.1:${port}`), 5_000);
    try {
      assert.deepEqual(await nowhere.forward(request('/x'), 2_000), { kind: 'unavailable', detail: 'ECONNREFUSED' });
    } finally {
      await nowhere.close();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) assert.fail('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
