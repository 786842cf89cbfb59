import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { sign } from '../../../src/signature/sign.js';
import { verifySignature } from '../../../src/signature/verify-signature.js';
import { OPEN_MESSAGING_VECTOR } from '../../helpers/fixtures.js';

// The published Open Messaging vector, read from ../shared beside the repository (compiled: dist/test/unit/signature/).
const OM_BODY = readFileSync(OPEN_MESSAGING_VECTOR.file);
const OM_SIGNATURE = 'sha256=MYcWV7qB29cqJNbccMvhGIBMV2acKLr+rNPMre71wBU=';

const SECRET = 'unit-test-secret';
const BODY = Buffer.from('{"id":"évt-1","type":"x","data":{"text":"héllo"}}', 'utf8');

describe('sign', () => {
  it('reproduces the published Open Messaging vector with base64 and the sha256= prefix', () => {
    assert.equal(sign(OM_BODY, 'MySecretToken-123', { encoding: 'base64', prefixed: true }), OM_SIGNATURE);
  });

  it('gives an unprefixed lower-case hex HMAC-SHA256 of the body', () => {
    const signature = sign(BODY, SECRET, { encoding: 'hex', prefixed: false });
    assert.match(signature, /^[0-9a-f]{64}$/);
    assert.equal(signature, createHmac('sha256', SECRET).update(BODY).digest('hex'));
  });

  it('gives a padded standard base64 HMAC-SHA256 of the body', () => {
    const signature = sign(BODY, SECRET, { encoding: 'base64', prefixed: false });
    assert.match(signature, /^[A-Za-z0-9+/]{43}=$/);
    assert.equal(signature, createHmac('sha256', SECRET).update(BODY).digest('base64'));
  });

  it('puts sha256= in front of the same digest when prefixed', () => {
    for (const encoding of ['hex', 'base64'] as const) {
      const bare = sign(BODY, SECRET, { encoding, prefixed: false });
      assert.equal(sign(BODY, SECRET, { encoding, prefixed: true }), `sha256=${bare}`);
    }
  });

  it('round-trips through verifySignature for each encoding, prefixed or not', () => {
    for (const encoding of ['hex', 'base64'] as const) {
      for (const prefixed of [false, true]) {
        const signature = sign(BODY, SECRET, { encoding, prefixed });
        const what = `${encoding} prefixed=${prefixed}`;
        assert.equal(verifySignature(BODY, signature, encoding, [Buffer.from(SECRET)]), true, what);
        const otherKey = [Buffer.from(`${SECRET}x`)];
        assert.equal(verifySignature(BODY, signature, encoding, otherKey), false, `${what}, other key`);
      }
    }
  });

  it('signs a string body as its UTF-8 bytes and a string secret as its UTF-8 bytes', () => {
    const options = { encoding: 'hex', prefixed: false } as const;
    assert.equal(sign(BODY.toString('utf8'), SECRET, options), sign(BODY, Buffer.from(SECRET, 'utf8'), options));
    assert.equal(sign('x', 'sécret', options), sign(Buffer.from('x'), Buffer.from('sécret', 'utf8'), options));
  });

  it('gives different signatures for different secrets', () => {
    const options = { encoding: 'hex', prefixed: false } as const;
    assert.notEqual(sign(BODY, SECRET, options), sign(BODY, `${SECRET}2`, options));
  });
});
