import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { decodeSignature, verifySignature } from '../../../src/signature/verify-signature.js';
import { OPEN_MESSAGING_VECTOR } from '../../helpers/fixtures.js';

// The published Open Messaging vector, read from ../shared beside the repository (compiled: dist/test/unit/signature/).
const OM_BODY = readFileSync(OPEN_MESSAGING_VECTOR.file);
const OM_SECRET = Buffer.from('MySecretToken-123', 'utf8');
const OM_SIGNATURE = 'sha256=MYcWV7qB29cqJNbccMvhGIBMV2acKLr+rNPMre71wBU=';

const SECRET = Buffer.from('unit-test-secret', 'utf8');
const BODY = Buffer.from('{"id":"evt-1","type":"conversation:updated","data":{},"timestamp":"2026-12-03T16:00:00Z"}');

function digest(body: Buffer, secret: Buffer): Buffer {
  return createHmac('sha256', secret).update(body).digest();
}

const HEX = digest(BODY, SECRET).toString('hex');
const BASE64 = digest(BODY, SECRET).toString('base64');

describe('verifySignature', () => {
  it('accepts the published Open Messaging vector with its sha256= base64 header', () => {
    assert.equal(OM_BODY.length, 522);
    assert.equal(verifySignature(OM_BODY, OM_SIGNATURE, 'base64', [OM_SECRET]), true);
  });

  it('rejects the Open Messaging vector under any other secret', () => {
    assert.equal(verifySignature(OM_BODY, OM_SIGNATURE, 'base64', [Buffer.from('MySecretToken-124')]), false);
  });

  it('accepts a lower-case hex digest', () => {
    assert.equal(verifySignature(BODY, HEX.toLowerCase(), 'hex', [SECRET]), true);
  });

  it('accepts an upper-case hex digest', () => {
    assert.equal(verifySignature(BODY, HEX.toUpperCase(), 'hex', [SECRET]), true);
  });

  it('accepts a hex digest behind a sha256= prefix', () => {
    assert.equal(verifySignature(BODY, `sha256=${HEX}`, 'hex', [SECRET]), true);
  });

  it('accepts a hex digest behind an upper-case SHA256= prefix', () => {
    assert.equal(verifySignature(BODY, `SHA256=${HEX}`, 'hex', [SECRET]), true);
  });

  it('accepts a base64 digest with its padding', () => {
    assert.ok(BASE64.endsWith('='));
    assert.equal(verifySignature(BODY, BASE64, 'base64', [SECRET]), true);
  });

  it('accepts a base64 digest without its padding', () => {
    assert.equal(verifySignature(BODY, BASE64.replace(/=+$/, ''), 'base64', [SECRET]), true);
  });

  it('accepts a base64 digest behind sha256= and SHA256= prefixes', () => {
    assert.equal(verifySignature(BODY, `sha256=${BASE64}`, 'base64', [SECRET]), true);
    assert.equal(verifySignature(BODY, `SHA256=${BASE64}`, 'base64', [SECRET]), true);
  });

  it('accepts a signature surrounded by whitespace', () => {
    assert.equal(verifySignature(BODY, `  ${HEX}\t`, 'hex', [SECRET]), true);
  });

  it('rejects a correct hex digest when the profile expects base64, and the reverse', () => {
    assert.equal(verifySignature(BODY, HEX, 'base64', [SECRET]), false);
    assert.equal(verifySignature(BODY, BASE64, 'hex', [SECRET]), false);
  });

  it('rejects a body that differs from the signed one by one byte', () => {
    for (let index = 0; index < BODY.length; index += 7) {
      const changed = Buffer.from(BODY);
      changed[index] = changed[index]! ^ 0x01;
      assert.equal(verifySignature(changed, HEX, 'hex', [SECRET]), false, `byte ${index} changed`);
    }
  });

  it('rejects a body with one extra trailing newline', () => {
    assert.equal(verifySignature(Buffer.concat([BODY, Buffer.from('\n')]), HEX, 'hex', [SECRET]), false);
  });

  it('accepts a signature made with any one of several keys', () => {
    const keys = [Buffer.from('old-secret'), SECRET, Buffer.from('next-secret')];
    assert.equal(verifySignature(BODY, HEX, 'hex', keys), true);
    assert.equal(verifySignature(BODY, digest(BODY, Buffer.from('next-secret')).toString('hex'), 'hex', keys), true);
  });

  it('rejects a signature made with a key that is not among several', () => {
    const keys = [Buffer.from('old-secret'), Buffer.from('next-secret')];
    assert.equal(verifySignature(BODY, HEX, 'hex', keys), false);
  });

  it('rejects every signature when there are no keys', () => {
    assert.equal(verifySignature(BODY, HEX, 'hex', []), false);
  });

  it('returns false, without throwing, for malformed signature values', () => {
    const malformed: Array<[string, 'hex' | 'base64', string]> = [
      ['empty', 'hex', ''],
      ['empty', 'base64', ''],
      ['whitespace only', 'hex', '   \t '],
      ['whitespace only', 'base64', '   '],
      ['prefix only', 'hex', 'sha256='],
      ['prefix only', 'base64', 'sha256='],
      ['hex one character short', 'hex', HEX.slice(0, 63)],
      ['hex one character long', 'hex', `${HEX}0`],
      ['hex of a shorter digest', 'hex', HEX.slice(0, 40)],
      ['hex with a non-hex letter', 'hex', `g${HEX.slice(1)}`],
      ['hex with an inner space', 'hex', `${HEX.slice(0, 32)} ${HEX.slice(32)}`],
      ['base64 one symbol short', 'base64', BASE64.slice(0, 42)],
      ['base64 one symbol long', 'base64', `${BASE64.slice(0, 43)}AA`],
      ['base64 with double padding', 'base64', `${BASE64.slice(0, 43)}==`],
      ['base64url alphabet', 'base64', 'M'.repeat(42) + '-'],
      ['base64 with a non-alphabet symbol', 'base64', `${BASE64.slice(0, 42)}*=`],
      ['a NUL byte', 'hex', '\u0000'.repeat(64)],
      ['a very long value', 'base64', 'A'.repeat(1_000_000)],
    ];
    for (const [what, encoding, value] of malformed) {
      assert.equal(verifySignature(BODY, value, encoding, [SECRET]), false, what);
    }
  });
});

describe('decodeSignature', () => {
  it('decodes hex and base64 spellings of one digest to the same 32 bytes', () => {
    const bytes = digest(BODY, SECRET);
    assert.deepEqual(decodeSignature(HEX.toUpperCase(), 'hex'), bytes);
    assert.deepEqual(decodeSignature(`sha256=${BASE64.replace(/=$/, '')}`, 'base64'), bytes);
  });

  it('gives undefined for a value that cannot be a SHA-256 digest', () => {
    assert.equal(decodeSignature(HEX.slice(2), 'hex'), undefined);
    assert.equal(decodeSignature('not a signature', 'base64'), undefined);
  });
});
