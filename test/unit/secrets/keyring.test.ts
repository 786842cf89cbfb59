import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Keyring, type SecretKey } from '../../../src/secrets/keyring.js';

function key(name: string, value: string): SecretKey {
  return { name, value: Buffer.from(value) };
}

describe('Keyring', () => {
  it('starts empty', () => {
    const keyring = new Keyring();
    assert.equal(keyring.size, 0);
    assert.deepEqual(keyring.values(), []);
  });

  it('gives the values of the keys it was given, in order', () => {
    const keyring = new Keyring();
    keyring.replace([key('current', 'one'), key('next', 'two')]);
    assert.equal(keyring.size, 2);
    assert.deepEqual(keyring.values(), [Buffer.from('one'), Buffer.from('two')]);
  });

  it('replaces the whole set, dropping keys that the new set lacks', () => {
    const keyring = new Keyring();
    keyring.replace([key('old', 'one'), key('kept', 'two')]);
    keyring.replace([key('kept', 'two'), key('new', 'three')]);
    assert.deepEqual(keyring.values(), [Buffer.from('two'), Buffer.from('three')]);
  });

  it('leaves a values() snapshot taken before a replace holding the old keys', () => {
    const keyring = new Keyring();
    keyring.replace([key('old', 'one')]);
    const before = keyring.values();
    keyring.replace([key('new', 'two'), key('newer', 'three')]);
    assert.deepEqual(before, [Buffer.from('one')]);
    assert.notEqual(keyring.values(), before);
    assert.equal(keyring.values().length, 2);
  });

  it('is not changed when the caller later changes the array it passed in', () => {
    const keyring = new Keyring();
    const keys = [key('a', 'one')];
    keyring.replace(keys);
    keys.push(key('b', 'two'));
    keys.length = 0;
    assert.deepEqual(keyring.values(), [Buffer.from('one')]);
  });

  it('hands out a values() array that cannot be changed', () => {
    const keyring = new Keyring();
    keyring.replace([key('a', 'one')]);
    const values = keyring.values() as Buffer[];
    assert.throws(() => values.push(Buffer.from('injected')), TypeError);
    assert.equal(keyring.values().length, 1);
  });
});
