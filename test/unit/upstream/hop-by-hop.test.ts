import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { connectionTokens, isHopByHop } from '../../../src/upstream/hop-by-hop.js';

const NONE: ReadonlySet<string> = new Set();

describe('isHopByHop', () => {
  it('is true for every RFC 9110 connection-specific field and for expect, host and content-length', () => {
    const names = [
      'connection',
      'keep-alive',
      'proxy-connection',
      'proxy-authenticate',
      'proxy-authorization',
      'te',
      'trailer',
      'transfer-encoding',
      'upgrade',
      'expect',
      'host',
      'content-length',
    ];
    for (const name of names) assert.equal(isHopByHop(name, NONE), true, name);
  });

  it('is false for end-to-end fields', () => {
    const names = ['content-type', 'user-agent', 'x-request-id', 'x-purecloud-webhook-signature', 'authorization'];
    for (const name of names) {
      assert.equal(isHopByHop(name, NONE), false, name);
    }
  });

  it('is true for a field that the Connection header names', () => {
    const tokens = connectionTokens('keep-alive, X-Private-Hop');
    assert.equal(isHopByHop('x-private-hop', tokens), true);
    assert.equal(isHopByHop('x-other', tokens), false);
  });
});

describe('connectionTokens', () => {
  it('gives no tokens without a Connection header', () => {
    assert.equal(connectionTokens(undefined).size, 0);
  });

  it('splits on commas, trims and lower-cases the names, and drops empty ones', () => {
    assert.deepEqual([...connectionTokens(' Keep-Alive ,X-Foo,, x-bar ,')].sort(), ['keep-alive', 'x-bar', 'x-foo']);
  });

  it('joins the tokens of a Connection header sent more than once', () => {
    assert.deepEqual([...connectionTokens(['close', 'X-A, X-B'])].sort(), ['close', 'x-a', 'x-b']);
  });
});
