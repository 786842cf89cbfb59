// Signed webhook bodies for the load generator: every request a new event id, a valid signature, and a
// realistic shape and size, at a cost low enough not to slow the load generator down.
//
// Each body is a constant prefix (fields, padding) followed by a short suffix that carries the unique
// event id. HMAC-SHA256(key, prefix || suffix) is computed from a saved inner-hash state after the prefix
// (RFC 2104: H((K^opad) || H((K^ipad) || m))), so signing a 64 KB body costs about as much as a 1 KB one.
// `checkSigner` compares it with node:crypto's own HMAC before a run.
import { createHash, createHmac, randomBytes } from 'node:crypto';

export const PROFILES = {
  purecloud: { header: 'x-purecloud-webhook-signature', encoding: 'hex', prefix: '' },
  'open-messaging': { header: 'x-hub-signature-256', encoding: 'base64', prefix: 'sha256=' },
};

const BLOCK = 64;

/** HMAC-SHA256 over prefix || suffix, with the prefix hashed once. */
export function prefixSigner(secret, prefix) {
  let key = Buffer.from(secret, 'utf8');
  if (key.length > BLOCK) key = createHash('sha256').update(key).digest();
  const ipad = Buffer.alloc(BLOCK, 0x36);
  const opad = Buffer.alloc(BLOCK, 0x5c);
  for (let i = 0; i < key.length; i++) {
    ipad[i] ^= key[i];
    opad[i] ^= key[i];
  }
  const inner = createHash('sha256').update(ipad).update(prefix);
  return (suffix) => {
    const innerDigest = inner.copy().update(suffix).digest();
    return createHash('sha256').update(opad).update(innerDigest).digest();
  };
}

// A Genesys Cloud conversation notification, as the purecloud envelope's `data`.
function conversationData() {
  return {
    topicName: 'v2.detail.events.conversation.8f2b0c1e-5a7d-4c1f-9a3e-2d6b7c8e9f01.customer.start',
    version: '2',
    eventBody: {
      eventTime: '2026-12-03T12:34:56.789Z',
      conversationId: '8f2b0c1e-5a7d-4c1f-9a3e-2d6b7c8e9f01',
      participantId: 'c3d4e5f6-0718-4293-a4b5-c6d7e8f90a1b',
      sessionId: 'a1b2c3d4-e5f6-4708-9a0b-1c2d3e4f5a6b',
      mediaType: 'VOICE',
      direction: 'INBOUND',
      ani: 'tel:+15551234567',
      dnis: 'tel:+15557654321',
      queueId: 'f0e1d2c3-b4a5-4968-8776-655443322110',
      divisionId: '11223344-5566-4778-8990-aabbccddeeff',
      provider: 'Edge',
    },
    metadata: { CorrelationId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' },
  };
}

// The fields before the id, as JSON text without the closing brace. `attributes` (an array of small
// records, as participant or custom attributes would be) and `pad` (a string) bring it to size, so a large
// body has structure for the JSON parser to walk, not just one long string.
function openingFields(profile, attributes, pad) {
  if (profile === 'purecloud') {
    const data = { ...conversationData(), attributes, notes: pad };
    return `{"type":"v2.detail.events.conversation.customer.start","timestamp":"2026-12-03T12:34:56.789Z","data":${JSON.stringify(data)}`;
  }
  // An Open Messaging normalized message (inbound text); extra fields pass the profile's rules.
  const message = {
    channel: {
      id: '5c4a8f1e-7b2d-4e3f-9a1b-2c3d4e5f6a7b',
      platform: 'Open',
      type: 'Private',
      to: { id: 'f1e2d3c4-b5a6-4798-8a7b-6c5d4e3f2a1b' },
      from: {
        nickname: 'Jane Customer',
        id: 'customer-4711',
        idType: 'Opaque',
        firstName: 'Jane',
        lastName: 'Customer',
      },
      time: '2026-12-03T12:34:56.789Z',
      messageId: 'b7c8d9e0-f1a2-4b3c-8d4e-5f6a7b8c9d0e',
    },
    type: 'Text',
    text: `Hello, I would like to change the delivery address of my order. ${pad}`,
    direction: 'Inbound',
    conversationId: '8f2b0c1e-5a7d-4c1f-9a3e-2d6b7c8e9f01',
    metadata: { attributes },
  };
  return JSON.stringify(message).slice(0, -1);
}

function attribute(i) {
  return {
    key: `customAttribute${i}`,
    value: `value of attribute ${i} for this conversation`,
    updated: '2026-12-03T12:30:00.000Z',
  };
}

/** The opening fields grown to `bytes - suffixLength` bytes (or left at their natural size when larger). */
function sizedOpening(profile, bytes, suffixLength) {
  const attributes = [];
  const lengthWith = (pad) => openingFields(profile, attributes, pad).length + suffixLength;
  // Records while they fit with room to spare, then a string for the last few bytes.
  const recordLength = JSON.stringify(attribute(0)).length + 1;
  while (lengthWith('') + 2 * recordLength < bytes) attributes.push(attribute(attributes.length));
  return openingFields(profile, attributes, 'x'.repeat(Math.max(0, bytes - lengthWith(''))));
}

/**
 * Makes a generator of signed requests for one profile and body size. `next()` returns
 * `{ body: Buffer, headers }` with a new event id each call; ids stay unique across every generator of
 * the process (one counter), and across runs (a random run tag).
 */
export function eventSource({
  profile,
  bytes,
  secret,
  runTag = randomBytes(4).toString('hex'),
  counter = sharedCounter,
}) {
  const { header, encoding, prefix: sigPrefix } = PROFILES[profile];
  const idOf = (n) => `evt-${runTag}-${String(n).padStart(10, '0')}`;
  const suffixOf = (n) => `,"id":"${idOf(n)}"}`;
  const opening = Buffer.from(sizedOpening(profile, bytes, suffixOf(0).length));
  const sign = prefixSigner(secret, opening);
  const total = opening.length + suffixOf(0).length;

  return {
    bytes: total,
    next() {
      const n = counter.next();
      const body = Buffer.allocUnsafe(total);
      opening.copy(body, 0);
      body.write(suffixOf(n), opening.length, 'latin1');
      const digest = sign(body.subarray(opening.length)).toString(encoding);
      return { body, headers: { 'content-type': 'application/json', [header]: sigPrefix + digest }, eventId: idOf(n) };
    },
  };
}

const sharedCounter = {
  value: 0,
  next() {
    return ++this.value;
  },
};

/** Throws unless the prefix signer agrees with node:crypto's HMAC on a real body of this source. */
export function checkSigner(source, profile, secret) {
  const { body, headers } = source.next();
  const { header, encoding, prefix } = PROFILES[profile];
  const expected = prefix + createHmac('sha256', secret).update(body).digest(encoding);
  if (headers[header] !== expected) throw new Error(`bench signer disagrees with node:crypto for ${profile}`);
  JSON.parse(body.toString('utf8'));
}
