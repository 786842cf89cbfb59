import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';

import { PROFILE_NAMES, resolveProfile, type Profile } from '../../../src/signature/profiles.js';

function sha256Hex(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

/** Runs the body through the profile's own schema, then describe(), as the pipeline does. */
function facts(profile: Profile, body: Buffer) {
  const payload = profile.schema.parse(JSON.parse(body.toString('utf8')));
  return profile.describe(payload, body);
}

function json(value: object): Buffer {
  return Buffer.from(JSON.stringify(value));
}

const TIMESTAMP = '2026-12-03T16:00:00.000Z';

describe('resolveProfile', () => {
  it('names the three profiles', () => {
    assert.deepEqual([...PROFILE_NAMES], ['purecloud', 'open-messaging', 'custom']);
  });

  it('gives purecloud the lower-case X-PureCloud-Webhook-Signature header and unprefixed hex', () => {
    const profile = resolveProfile('purecloud');
    assert.equal(profile.name, 'purecloud');
    assert.equal(profile.header, 'x-purecloud-webhook-signature');
    assert.equal(profile.encoding, 'hex');
    assert.equal(profile.prefixed, false);
  });

  it('gives open-messaging the lower-case X-Hub-Signature-256 header and sha256=-prefixed base64', () => {
    const profile = resolveProfile('open-messaging');
    assert.equal(profile.name, 'open-messaging');
    assert.equal(profile.header, 'x-hub-signature-256');
    assert.equal(profile.encoding, 'base64');
    assert.equal(profile.prefixed, true);
  });

  it('lower-cases an overriding header name, as node:http presents incoming headers', () => {
    const profile = resolveProfile('custom', { header: 'X-My-Signature', encoding: 'base64' });
    assert.equal(profile.header, 'x-my-signature');
    assert.equal(profile.encoding, 'base64');
  });

  it('overrides only what is given and keeps the rest of the profile', () => {
    const headerOnly = resolveProfile('open-messaging', { header: 'X-Other' });
    assert.equal(headerOnly.header, 'x-other');
    assert.equal(headerOnly.encoding, 'base64');
    const encodingOnly = resolveProfile('purecloud', { encoding: 'base64', header: undefined });
    assert.equal(encodingOnly.header, 'x-purecloud-webhook-signature');
    assert.equal(encodingOnly.encoding, 'base64');
  });

  it('leaves the shared defaults untouched after an override', () => {
    resolveProfile('purecloud', { header: 'X-Changed', encoding: 'base64' });
    const again = resolveProfile('purecloud');
    assert.equal(again.header, 'x-purecloud-webhook-signature');
    assert.equal(again.encoding, 'hex');
  });
});

describe('purecloud describe()', () => {
  const profile = resolveProfile('purecloud');

  it('takes the event id, type and timestamp from the envelope', () => {
    const result = facts(profile, json({ id: 'evt-1', type: 'conversation:updated', data: {}, timestamp: TIMESTAMP }));
    assert.equal(result.eventId, 'evt-1');
    assert.equal(result.eventType, 'conversation:updated');
    assert.equal(result.timestamp, TIMESTAMP);
  });

  it('keys dedupe on the id: two bodies with one id share a key, another id does not', () => {
    const first = facts(profile, json({ id: 'evt-1', type: 'a', data: { n: 1 }, timestamp: TIMESTAMP }));
    const resent = facts(profile, json({ id: 'evt-1', type: 'b', data: { n: 2 }, timestamp: TIMESTAMP }));
    const other = facts(profile, json({ id: 'evt-2', type: 'a', data: { n: 1 }, timestamp: TIMESTAMP }));
    assert.equal(first.dedupeKey, resent.dedupeKey);
    assert.notEqual(first.dedupeKey, other.dedupeKey);
  });

  it('namespaces its dedupe key so that a custom event with the same id does not collide', () => {
    const body = json({ id: 'evt-1', type: 'a', data: {}, timestamp: TIMESTAMP });
    const custom = resolveProfile('custom', { header: 'x-sig', encoding: 'hex' });
    assert.notEqual(facts(profile, body).dedupeKey, facts(custom, body).dedupeKey);
  });
});

describe('open-messaging describe()', () => {
  const profile = resolveProfile('open-messaging');
  const message = { id: 'msg-1', type: 'Receipt', direction: 'Outbound', channel: { time: TIMESTAMP } };

  it('gives two receipts of one message id but different status different dedupe keys', () => {
    const delivered = facts(profile, json({ ...message, status: 'Delivered' }));
    const read = facts(profile, json({ ...message, status: 'Read' }));
    assert.notEqual(delivered.dedupeKey, read.dedupeKey);
    assert.equal(delivered.eventId, 'msg-1');
    assert.equal(read.eventId, 'msg-1');
  });

  it('gives an exact retry of the same bytes the same dedupe key', () => {
    const body = json({ ...message, status: 'Delivered' });
    assert.equal(facts(profile, body).dedupeKey, facts(profile, Buffer.from(body)).dedupeKey);
  });

  it('keys on the raw bytes, so the same JSON with other whitespace is another delivery', () => {
    const compact = Buffer.from('{"id":"msg-1","status":"Read"}');
    const spaced = Buffer.from('{"id": "msg-1", "status": "Read"}');
    assert.notEqual(facts(profile, compact).dedupeKey, facts(profile, spaced).dedupeKey);
  });

  it('takes the event type from type and the timestamp from channel.time', () => {
    const result = facts(profile, json({ ...message, status: 'Read' }));
    assert.equal(result.eventType, 'Receipt');
    assert.equal(result.timestamp, TIMESTAMP);
  });

  it('falls back to the SHA-256 of the raw body as event id when the message has no id', () => {
    const body = json({ type: 'Text', text: 'hello' });
    const result = facts(profile, body);
    assert.equal(result.eventId, sha256Hex(body));
    assert.equal(result.timestamp, undefined);
  });

  it('falls back to the body hash as event id when the id is an empty string', () => {
    const body = json({ id: '', type: 'Text' });
    assert.equal(facts(profile, body).eventId, sha256Hex(body));
  });
});

describe('custom describe()', () => {
  const profile = resolveProfile('custom', { header: 'x-sig', encoding: 'hex' });

  it('uses a string id as event id and dedupe key, so that resends with other bytes are duplicates', () => {
    const first = facts(profile, json({ id: 'order-7', attempt: 1 }));
    const resent = facts(profile, json({ id: 'order-7', attempt: 2 }));
    assert.equal(first.eventId, 'order-7');
    assert.equal(first.dedupeKey, resent.dedupeKey);
  });

  it('uses a numeric id, written as a string, as event id and dedupe key', () => {
    const first = facts(profile, json({ id: 42, attempt: 1 }));
    const resent = facts(profile, json({ id: 42, attempt: 2 }));
    assert.equal(first.eventId, '42');
    assert.equal(first.dedupeKey, resent.dedupeKey);
  });

  it('uses the body hash when id is missing, empty, an object or null', () => {
    for (const value of [{ name: 'no id' }, { id: '' }, { id: { nested: 'x' } }, { id: null }, { id: true }]) {
      const body = json(value);
      assert.equal(facts(profile, body).eventId, sha256Hex(body), JSON.stringify(value));
    }
  });

  it('gives distinct id-less bodies distinct dedupe keys and identical ones the same key', () => {
    const a = json({ value: 1 });
    const b = json({ value: 2 });
    assert.notEqual(facts(profile, a).dedupeKey, facts(profile, b).dedupeKey);
    assert.equal(facts(profile, a).dedupeKey, facts(profile, Buffer.from(a)).dedupeKey);
  });

  it('reads type and timestamp when they are non-empty strings or numbers, and ignores other values', () => {
    const read = facts(profile, json({ id: 'x', type: 'order.created', timestamp: TIMESTAMP }));
    assert.equal(read.eventType, 'order.created');
    assert.equal(read.timestamp, TIMESTAMP);
    const numeric = facts(profile, json({ id: 'x', type: 5 }));
    assert.equal(numeric.eventType, '5');
    const ignored = facts(profile, json({ id: 'x', type: '', timestamp: { at: TIMESTAMP } }));
    assert.equal(ignored.eventType, undefined);
    assert.equal(ignored.timestamp, undefined);
  });
});
