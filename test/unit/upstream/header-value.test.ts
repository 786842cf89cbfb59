import assert from 'node:assert/strict';
import { validateHeaderValue } from 'node:http';
import { describe, it } from 'node:test';

import { headerSafe } from '../../../src/upstream/header-value.js';

describe('headerSafe', () => {
  it('keeps printable ASCII exactly, spaces and punctuation included', () => {
    for (const value of ['evt-123', 'c327c2078ca056db130c55ce648d9fa2', 'conversation:updated', 'a b ~!@#$%^&*()']) {
      assert.equal(headerSafe(value), value);
    }
  });

  it('replaces a lone surrogate (valid in JSON, refused by encodeURIComponent) with U+FFFD', () => {
    assert.equal(headerSafe('evt-\ud800'), 'evt-%EF%BF%BD');
    assert.equal(headerSafe('\udc00-\ud83d\ude00'), '%EF%BF%BD-%F0%9F%98%80');
  });

  it('keeps an empty value', () => {
    assert.equal(headerSafe(''), '');
  });

  it('percent-encodes a value with non-ASCII characters as UTF-8', () => {
    assert.equal(headerSafe('évt-1'), encodeURIComponent('évt-1'));
    assert.equal(headerSafe('évt-1'), '%C3%A9vt-1');
    assert.equal(decodeURIComponent(headerSafe('会話-🙂')), '会話-🙂');
  });

  it('percent-encodes control characters, so that CR/LF cannot split the header', () => {
    const value = headerSafe('evt\r\nX-Injected: yes');
    assert.doesNotMatch(value, /[\r\n]/);
    assert.equal(decodeURIComponent(value), 'evt\r\nX-Injected: yes');
  });

  it('gives values that node:http accepts as header values', () => {
    for (const value of ['plain', 'évt', '\u0000\u001f\u007f', 'tab\there', '会話-🙂']) {
      assert.doesNotThrow(() => validateHeaderValue('x-genesys-event-id', headerSafe(value)), JSON.stringify(value));
    }
  });
});
