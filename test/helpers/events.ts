import { randomUUID } from 'node:crypto';

import { sign } from '../../src/signature/sign.js';

export const SECRET = 'test-webhook-secret';

/** A purecloud-profile envelope with a fresh id, as raw bytes. */
export function purecloudEvent(overrides: Record<string, unknown> = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      id: randomUUID(),
      type: 'conversation:updated',
      data: { id: randomUUID(), state: 'connected' },
      timestamp: new Date().toISOString(),
      ...overrides,
    }),
  );
}

export function purecloudSignature(body: Buffer | string, secret = SECRET): string {
  return sign(body, secret, { encoding: 'hex', prefixed: false });
}

export function openMessagingSignature(body: Buffer | string, secret = SECRET): string {
  return sign(body, secret, { encoding: 'base64', prefixed: true });
}
