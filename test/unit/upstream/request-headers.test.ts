import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { describe, it } from 'node:test';

import { buildUpstreamHeaders, type VerifiedEventHeaders } from '../../../src/upstream/request-headers.js';

const EVENT: VerifiedEventHeaders = {
  eventId: 'evt-1',
  eventType: 'conversation:updated',
  requestId: 'req-42',
  remoteAddress: '10.1.2.3',
};

const SENDER: IncomingHttpHeaders = {
  host: 'hooks.example.com',
  'content-type': 'application/json',
  'content-length': '123',
  'user-agent': 'Genesys-Webhook/1.0',
  'x-purecloud-webhook-signature': 'abc123',
  connection: 'keep-alive, X-Hop-Secret',
  'keep-alive': 'timeout=5',
  'x-hop-secret': 'only for this hop',
  'transfer-encoding': 'chunked',
  te: 'trailers',
  upgrade: 'h2c',
  expect: '100-continue',
  'proxy-authorization': 'Basic Zm9vOmJhcg==',
};

describe('buildUpstreamHeaders', () => {
  it('keeps the end-to-end headers of the sender, the signature included', () => {
    const headers = buildUpstreamHeaders(SENDER, EVENT);
    assert.equal(headers['content-type'], 'application/json');
    assert.equal(headers['user-agent'], 'Genesys-Webhook/1.0');
    assert.equal(headers['x-purecloud-webhook-signature'], 'abc123');
  });

  it('drops hop-by-hop headers, host, content-length and every header that Connection names', () => {
    const headers = buildUpstreamHeaders(SENDER, EVENT);
    const dropped = [
      'connection',
      'keep-alive',
      'x-hop-secret',
      'transfer-encoding',
      'te',
      'upgrade',
      'expect',
      'proxy-authorization',
      'host',
      'content-length',
    ];
    for (const name of dropped) {
      assert.equal(name in headers, false, name);
    }
  });

  it('drops every x-genesys-* header the sender sent and sets our own', () => {
    const forged: IncomingHttpHeaders = {
      ...SENDER,
      'x-genesys-webhook-verified': 'false',
      'x-genesys-event-id': 'forged-id',
      'x-genesys-event-type': 'forged-type',
      'x-genesys-anything-else': 'forged',
    };
    const headers = buildUpstreamHeaders(forged, EVENT);
    assert.equal(headers['x-genesys-webhook-verified'], 'true');
    assert.equal(headers['x-genesys-event-id'], 'evt-1');
    assert.equal(headers['x-genesys-event-type'], 'conversation:updated');
    assert.equal('x-genesys-anything-else' in headers, false);
  });

  it('leaves X-Genesys-Event-Type out, even a forged one, when the event type is unknown', () => {
    const headers = buildUpstreamHeaders({ 'x-genesys-event-type': 'forged' }, { ...EVENT, eventType: undefined });
    assert.equal('x-genesys-event-type' in headers, false);
    assert.equal(headers['x-genesys-event-id'], 'evt-1');
  });

  it('percent-encodes a non-ASCII event id and event type', () => {
    const headers = buildUpstreamHeaders({}, { ...EVENT, eventId: 'évt-会話', eventType: 'tipo/ñ' });
    assert.equal(headers['x-genesys-event-id'], encodeURIComponent('évt-会話'));
    assert.equal(headers['x-genesys-event-type'], encodeURIComponent('tipo/ñ'));
  });

  it("sets X-Request-Id to the given request id, replacing the sender's", () => {
    const headers = buildUpstreamHeaders({ 'x-request-id': 'from-sender' }, EVENT);
    assert.equal(headers['x-request-id'], 'req-42');
  });

  it('sets X-Forwarded-For to the peer address when the sender sent none', () => {
    assert.equal(buildUpstreamHeaders({}, EVENT)['x-forwarded-for'], '10.1.2.3');
  });

  it('appends the peer address to an X-Forwarded-For the sender sent', () => {
    const headers = buildUpstreamHeaders({ 'x-forwarded-for': '203.0.113.7, 198.51.100.2' }, EVENT);
    assert.equal(headers['x-forwarded-for'], '203.0.113.7, 198.51.100.2, 10.1.2.3');
  });

  it('writes "unknown" for a peer whose address is not known', () => {
    const headers = buildUpstreamHeaders({ 'x-forwarded-for': '203.0.113.7' }, { ...EVENT, remoteAddress: undefined });
    assert.equal(headers['x-forwarded-for'], '203.0.113.7, unknown');
  });

  it("sets X-Forwarded-Proto to http unless the sender's proxy said otherwise", () => {
    assert.equal(buildUpstreamHeaders({}, EVENT)['x-forwarded-proto'], 'http');
    assert.equal(buildUpstreamHeaders({ 'x-forwarded-proto': 'https' }, EVENT)['x-forwarded-proto'], 'https');
  });

  it('sets X-Forwarded-Host from the incoming Host, or keeps one already forwarded', () => {
    assert.equal(buildUpstreamHeaders({ host: 'hooks.example.com' }, EVENT)['x-forwarded-host'], 'hooks.example.com');
    const proxied = buildUpstreamHeaders({ host: 'sidecar:8080', 'x-forwarded-host': 'public.example.com' }, EVENT);
    assert.equal(proxied['x-forwarded-host'], 'public.example.com');
    assert.equal('x-forwarded-host' in buildUpstreamHeaders({}, EVENT), false);
  });

  it('does not change the incoming headers object', () => {
    const incoming: IncomingHttpHeaders = { ...SENDER, 'x-genesys-event-id': 'forged' };
    const copy = structuredClone(incoming);
    buildUpstreamHeaders(incoming, EVENT);
    assert.deepEqual(incoming, copy);
  });
});
