import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { customPayload, openMessagingPayload, purecloudPayload } from '../../../src/signature/payload-schemas.js';
import type { Rejection } from '../../../src/webhook/outcome.js';
import { parseJson, validatePayload } from '../../../src/webhook/parse-payload.js';

const TIMESTAMP = '2026-12-03T16:00:00.000Z';

function parsed(text: string | Buffer): unknown {
  const result = parseJson(Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'));
  // No JSON.stringify of the result here: a deeply nested value would overflow it.
  assert.ok('value' in result, `expected a value, got the rejection ${'message' in result ? result.message : ''}`);
  return result.value;
}

function rejection(result: { value: unknown } | { payload: object } | Rejection): Rejection {
  assert.ok('kind' in result, 'expected a rejection, got a value');
  return result;
}

describe('parseJson', () => {
  it('gives the parsed value of a JSON object in UTF-8, non-ASCII included', () => {
    assert.deepEqual(parsed('{"id":"évt-1","n":[1,2]}'), { id: 'évt-1', n: [1, 2] });
  });

  it('rejects bytes that are not UTF-8 as malformed_json instead of replacing them', () => {
    const result = rejection(parseJson(Buffer.from([0x7b, 0xff, 0x7d])));
    assert.equal(result.reason, 'malformed_json');
    assert.match(result.message, /UTF-8/);
  });

  it('rejects an overlong UTF-8 encoding and an encoded surrogate as malformed_json', () => {
    const overlong = Buffer.from([0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d]);
    const surrogate = Buffer.from([0x7b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x3a, 0x31, 0x7d]);
    assert.equal(rejection(parseJson(overlong)).reason, 'malformed_json');
    assert.equal(rejection(parseJson(surrogate)).reason, 'malformed_json');
  });

  it('rejects text that is not JSON as malformed_json', () => {
    for (const text of ['', 'hello', '{"id":', "{'id':1}", '{"a":1} trailing']) {
      const result = rejection(parseJson(Buffer.from(text)));
      assert.equal(result.reason, 'malformed_json', JSON.stringify(text));
      assert.match(result.message, /JSON/);
    }
  });

  it('parses 500,000 nested brackets inside an object without throwing', () => {
    const depth = 500_000;
    const value = parsed(`{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    assert.ok(typeof value === 'object' && value !== null && 'a' in value);
  });
});

describe('validatePayload', () => {
  it('rejects an array, a number, a string and null as invalid_payload whatever the schema', () => {
    for (const text of ['[]', '[{"id":"x"}]', '42', '"text"', 'null', 'true']) {
      const result = rejection(validatePayload(parsed(text), customPayload));
      assert.equal(result.reason, 'invalid_payload', text);
      assert.match(result.message, /object/);
    }
  });

  it('accepts a purecloud envelope and keeps its fields', () => {
    const envelope = { id: 'evt-1', type: 'conversation:updated', data: { state: 'connected' }, timestamp: TIMESTAMP };
    const result = validatePayload(parsed(JSON.stringify({ ...envelope, extra: 1 })), purecloudPayload);
    assert.ok('payload' in result);
    assert.equal((result.payload as { id: string }).id, 'evt-1');
    assert.equal((result.payload as { timestamp: string }).timestamp, TIMESTAMP);
  });

  it('names both a missing data field and a bad timestamp in one purecloud rejection', () => {
    const body = JSON.stringify({ id: 'evt-1', type: 'conversation:updated', timestamp: 'yesterday' });
    const result = rejection(validatePayload(parsed(body), purecloudPayload));
    assert.equal(result.reason, 'invalid_payload');
    assert.match(result.message, /\bdata\b/);
    assert.match(result.message, /\btimestamp\b/);
    assert.doesNotMatch(result.message, /\bid:/);
  });

  it('names an empty id, an empty type and a data array in one purecloud rejection', () => {
    const body = JSON.stringify({ id: '', type: '', data: [], timestamp: TIMESTAMP });
    const result = rejection(validatePayload(parsed(body), purecloudPayload));
    assert.match(result.message, /\bid:/);
    assert.match(result.message, /\btype:/);
    assert.match(result.message, /\bdata:/);
    assert.doesNotMatch(result.message, /\btimestamp:/);
  });

  it('accepts an Open Messaging message with no fields at all', () => {
    assert.ok('payload' in validatePayload(parsed('{}'), openMessagingPayload));
  });

  it('names each Open Messaging field present with the wrong type, nested paths included', () => {
    const body = JSON.stringify({ type: 'Bogus', isFinalReceipt: 'yes', channel: { time: 'noon' }, text: 'ok' });
    const result = rejection(validatePayload(parsed(body), openMessagingPayload));
    assert.match(result.message, /\btype:/);
    assert.match(result.message, /\bisFinalReceipt:/);
    assert.match(result.message, /\bchannel\.time:/);
    assert.doesNotMatch(result.message, /\btext:/);
  });

  it('accepts any JSON object for the custom schema', () => {
    assert.ok('payload' in validatePayload(parsed('{"id":7,"anything":[null]}'), customPayload));
  });

  it('does not let a __proto__ key pollute Object.prototype', () => {
    const bodies = [
      '{"__proto__":{"polluted":"yes"},"id":"x"}',
      `{"id":"x","type":"t","timestamp":"${TIMESTAMP}","data":{"__proto__":{"polluted":"yes"}}}`,
    ];
    for (const schema of [customPayload, purecloudPayload, openMessagingPayload]) {
      for (const body of bodies) validatePayload(parsed(body), schema);
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
  });

  it('accepts 500,000 nested brackets inside an object for the custom schema', () => {
    const depth = 500_000;
    const value = parsed(`{"id":"deep","a":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    assert.ok('payload' in validatePayload(value, customPayload));
  });

  it('accepts 500,000 nested objects inside purecloud data without throwing', () => {
    const depth = 500_000;
    const data = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const value = parsed(`{"id":"deep","type":"t","timestamp":"${TIMESTAMP}","data":${data}}`);
    assert.ok('payload' in validatePayload(value, purecloudPayload));
  });

  it('rejects 500,000 nested brackets at the root as invalid_payload without throwing', () => {
    const depth = 500_000;
    const value = parsed(`${'['.repeat(depth)}${']'.repeat(depth)}`);
    assert.equal(rejection(validatePayload(value, customPayload)).reason, 'invalid_payload');
  });
});
