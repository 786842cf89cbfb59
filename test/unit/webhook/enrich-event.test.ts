import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { appendEnrichment, conversationIdOf } from '../../../src/webhook/enrich-event.js';

const CONVERSATION = 'd06cb41e-f938-4dcf-b823-c8af1a39d7e5';

describe('appendEnrichment', () => {
  test('adds the member before the closing brace of a non-empty object, with a comma', () => {
    const body = appendEnrichment(Buffer.from('{"a":1}  \n'), { a: 1 }, { id: 'c' });
    assert.equal(body.toString(), '{"a":1,"enrichment":{"conversation":{"id":"c"}}}  \n');
  });

  test('adds it without a comma to an empty object', () => {
    assert.equal(appendEnrichment(Buffer.from('{ }'), {}, null).toString(), '{ "enrichment":{"conversation":null}}');
  });

  test('wins over an enrichment member the sender put there, as the last member', () => {
    const body = appendEnrichment(Buffer.from('{"enrichment":"forged"}'), { enrichment: 'forged' }, 1);
    assert.deepEqual(JSON.parse(body.toString()), { enrichment: { conversation: 1 } });
  });
});

describe('conversationIdOf', () => {
  test('reads data.id for purecloud, conversationId for open-messaging and either for custom', () => {
    assert.equal(conversationIdOf('purecloud', { data: { id: CONVERSATION }, conversationId: 'x' }), CONVERSATION);
    assert.equal(conversationIdOf('open-messaging', { data: { id: 'x' }, conversationId: CONVERSATION }), CONVERSATION);
    assert.equal(conversationIdOf('custom', { data: { id: CONVERSATION } }), CONVERSATION);
    assert.equal(conversationIdOf('custom', { conversationId: CONVERSATION }), CONVERSATION);
  });

  test('refuses anything but a UUID, so that nothing else reaches the API path', () => {
    for (const id of ['..', '../users/me', '', 'not-a-uuid', `${CONVERSATION}/x`]) {
      assert.equal(conversationIdOf('open-messaging', { conversationId: id }), undefined, id);
    }
  });
});
