import { createHash } from 'node:crypto';

import type { z } from 'zod';

import { customPayload, openMessagingPayload, purecloudPayload } from './payload-schemas.js';
import type { SignatureEncoding } from './verify-signature.js';

export const PROFILE_NAMES = ['purecloud', 'open-messaging', 'custom'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** What the pipeline needs to know about one verified, valid event. */
export interface EventFacts {
  /** Key under which the dedupe store remembers the event; namespaced by profile. */
  dedupeKey: string;
  /** Shown to the app as X-Genesys-Event-Id and in logs. */
  eventId: string;
  eventType: string | undefined;
  /** The event's own time, when it carries one (for MAX_EVENT_AGE_SECONDS). */
  timestamp: string | undefined;
}

export interface Profile {
  name: ProfileName;
  /** Lower-case, as node:http presents incoming header names. */
  header: string;
  encoding: SignatureEncoding;
  /** Whether this profile's senders write "sha256=" before the digest (used by `sign`). */
  prefixed: boolean;
  schema: z.ZodType<object>;
  describe(payload: object, rawBody: Buffer): EventFacts;
}

function bodyHash(rawBody: Buffer): string {
  return createHash('sha256').update(rawBody).digest('hex');
}

function stringOrUndefined(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

const purecloud: Profile = {
  name: 'purecloud',
  header: 'x-purecloud-webhook-signature',
  encoding: 'hex',
  prefixed: false,
  schema: purecloudPayload,
  describe(payload) {
    const event = payload as z.output<typeof purecloudPayload>;
    return { dedupeKey: `purecloud:${event.id}`, eventId: event.id, eventType: event.type, timestamp: event.timestamp };
  },
};

const openMessaging: Profile = {
  name: 'open-messaging',
  header: 'x-hub-signature-256',
  encoding: 'base64',
  prefixed: true,
  schema: openMessagingPayload,
  // Receipts for one message reuse its id with another status, so only the exact bytes identify a
  // delivery: distinct receipts pass, an exact retry does not.
  describe(payload, rawBody) {
    const message = payload as z.output<typeof openMessagingPayload>;
    const hash = bodyHash(rawBody);
    return {
      dedupeKey: `open-messaging:${hash}`,
      eventId: message.id || hash,
      eventType: message.type,
      timestamp: message.channel?.time,
    };
  },
};

const custom: Profile = {
  name: 'custom',
  header: '',
  encoding: 'hex',
  prefixed: false,
  schema: customPayload,
  describe(payload, rawBody) {
    const event = payload as z.output<typeof customPayload>;
    const eventId = stringOrUndefined(event.id) ?? bodyHash(rawBody);
    return {
      dedupeKey: `custom:${eventId}`,
      eventId,
      eventType: stringOrUndefined(event.type),
      timestamp: stringOrUndefined(event.timestamp),
    };
  },
};

const PROFILES: Record<ProfileName, Profile> = { purecloud, 'open-messaging': openMessaging, custom };

/** The profile with SIGNATURE_HEADER / SIGNATURE_ENCODING applied on top of its defaults. */
export function resolveProfile(
  name: ProfileName,
  overrides: { header?: string | undefined; encoding?: SignatureEncoding | undefined } = {},
): Profile {
  const base = PROFILES[name];
  return {
    ...base,
    header: overrides.header?.toLowerCase() ?? base.header,
    encoding: overrides.encoding ?? base.encoding,
  };
}
