import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, IncomingMessage, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';

import { request } from 'undici';

import { checkRequestLine, pathOf, tooLarge } from '../../../src/webhook/check-request-line.js';
import type { Rejection } from '../../../src/webhook/outcome.js';

const PATHS: ReadonlySet<string> = new Set(['/webhook/genesys', '/hooks/other']);
const MAX_BODY_BYTES = 1000;

/** A request line and headers as node:http presents them: lower-case header names, the raw target as url. */
function message(method: string, url: string, headers: IncomingHttpHeaders = {}): IncomingMessage {
  const incoming = new IncomingMessage(new Socket());
  incoming.method = method;
  incoming.url = url;
  incoming.headers = headers;
  return incoming;
}

function check(method: string, url: string, headers: IncomingHttpHeaders = { 'content-type': 'application/json' }) {
  return checkRequestLine(message(method, url, headers), PATHS, MAX_BODY_BYTES);
}

describe('checkRequestLine', () => {
  it('passes a POST of JSON to a configured path', () => {
    assert.equal(check('POST', '/webhook/genesys'), undefined);
    assert.equal(check('POST', '/hooks/other'), undefined);
  });

  it('rejects a path that is not configured as not_found', () => {
    for (const url of ['/', '/webhook', '/webhook/genesys/', '/webhook/genesys/x', '/WEBHOOK/GENESYS']) {
      assert.equal(check('POST', url)?.reason, 'not_found', url);
    }
  });

  it('rejects a target that is not origin-form as not_found', () => {
    assert.equal(check('POST', 'http://example.com/webhook/genesys')?.reason, 'not_found');
    assert.equal(check('OPTIONS', '*')?.reason, 'not_found');
    assert.equal(check('POST', '')?.reason, 'not_found');
  });

  it('ignores the query string when matching the route', () => {
    assert.equal(check('POST', '/webhook/genesys?source=genesys&x=1'), undefined);
    assert.equal(check('POST', '/webhook/genesys?'), undefined);
    assert.equal(check('POST', '/other?/webhook/genesys')?.reason, 'not_found');
  });

  it('rejects any method but POST as method_not_allowed', () => {
    for (const method of ['GET', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'post']) {
      assert.equal(check(method, '/webhook/genesys')?.reason, 'method_not_allowed', method);
    }
  });

  it('checks the route before the method and the method before the media type', () => {
    assert.equal(check('GET', '/elsewhere', { 'content-type': 'text/plain' })?.reason, 'not_found');
    assert.equal(check('GET', '/webhook/genesys', { 'content-type': 'text/plain' })?.reason, 'method_not_allowed');
  });

  it('accepts application/json with parameters and in any case', () => {
    const types = ['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset=UTF-8'];
    for (const type of types) {
      assert.equal(check('POST', '/webhook/genesys', { 'content-type': type }), undefined, type);
    }
  });

  it('accepts a +json media type such as application/cloudevents+json', () => {
    assert.equal(check('POST', '/webhook/genesys', { 'content-type': 'application/cloudevents+json' }), undefined);
  });

  it('accepts a request without a Content-Type', () => {
    assert.equal(check('POST', '/webhook/genesys', {}), undefined);
  });

  it('rejects text/plain, form data and other media types as unsupported_media_type', () => {
    const types = [
      'text/plain',
      'application/x-www-form-urlencoded',
      'text/json',
      'text/foo+json',
      'application/jsonp',
      '',
    ];
    for (const type of types) {
      assert.equal(check('POST', '/webhook/genesys', { 'content-type': type })?.reason, 'unsupported_media_type', type);
    }
  });

  it('rejects a declared Content-Length over the limit as payload_too_large before the body is read', () => {
    const result = check('POST', '/webhook/genesys', { 'content-type': 'application/json', 'content-length': '1001' });
    assert.ok(result);
    assert.equal(result.reason, 'payload_too_large');
    assert.match(result.message, /\b1000\b/);
  });

  it('passes a declared Content-Length equal to the limit, and a request without one', () => {
    assert.equal(check('POST', '/webhook/genesys', { 'content-length': '1000' }), undefined);
    assert.equal(check('POST', '/webhook/genesys', { 'transfer-encoding': 'chunked' }), undefined);
  });

  it('checks the media type before the declared length', () => {
    const result = check('POST', '/webhook/genesys', { 'content-type': 'text/plain', 'content-length': '5000' });
    assert.equal(result?.reason, 'unsupported_media_type');
  });
});

describe('checkRequestLine on a real node:http request', () => {
  let url = '';
  const seen: Array<Rejection | undefined> = [];
  const server = createServer((incoming, response) => {
    seen.push(checkRequestLine(incoming, PATHS, MAX_BODY_BYTES));
    incoming.resume();
    incoming.on('end', () => response.end());
  });

  before(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  async function send(path: string, method: string, headers: Record<string, string>, body?: string) {
    const answer = await request(`${url}${path}`, { method: method as 'POST', headers, body });
    await answer.body.dump();
    return seen.at(-1);
  }

  it('passes a POST with a query string and a mixed-case JSON Content-Type', async () => {
    const headers = { 'Content-Type': 'Application/JSON; charset=UTF-8' };
    const result = await send('/webhook/genesys?attempt=2', 'POST', headers, '{}');
    assert.equal(result, undefined);
  });

  it('rejects a real body whose Content-Length is over the limit', async () => {
    const body = 'x'.repeat(MAX_BODY_BYTES + 1);
    const result = await send('/webhook/genesys', 'POST', { 'content-type': 'application/json' }, body);
    assert.equal(result?.reason, 'payload_too_large');
  });

  it('rejects a real GET as method_not_allowed and a real POST elsewhere as not_found', async () => {
    assert.equal((await send('/webhook/genesys', 'GET', {}))?.reason, 'method_not_allowed');
    assert.equal((await send('/metrics', 'POST', { 'content-type': 'application/json' }, '{}'))?.reason, 'not_found');
  });
});

describe('pathOf', () => {
  it('gives the path without the query', () => {
    assert.equal(pathOf('/webhook/genesys?a=1&b=2'), '/webhook/genesys');
    assert.equal(pathOf('/webhook/genesys'), '/webhook/genesys');
  });

  it('gives undefined for a missing or non-origin-form target', () => {
    assert.equal(pathOf(undefined), undefined);
    assert.equal(pathOf('*'), undefined);
    assert.equal(pathOf('http://example.com/webhook/genesys'), undefined);
  });
});

describe('tooLarge', () => {
  it('is a payload_too_large rejection that states the limit', () => {
    const result = tooLarge(2048);
    assert.equal(result.kind, 'rejected');
    assert.equal(result.reason, 'payload_too_large');
    assert.match(result.message, /\b2048 bytes\b/);
  });
});
