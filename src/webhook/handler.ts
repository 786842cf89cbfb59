import type { IncomingMessage } from 'node:http';

import type { DedupeStore } from '../dedupe/dedupe-store.js';
import type { Keyring } from '../secrets/keyring.js';
import type { Profile } from '../signature/profiles.js';
import { verifySignature } from '../signature/verify-signature.js';
import { buildUpstreamHeaders } from '../upstream/request-headers.js';
import type { ForwardRequest, ForwardResult } from '../upstream/forwarder.js';
import { checkEventAge } from './check-event-age.js';
import { checkRequestLine, tooLarge } from './check-request-line.js';
import { fail, reject, type EventInfo, type Outcome } from './outcome.js';
import { parseJson, validatePayload } from './parse-payload.js';
import { readBody } from './read-body.js';

export interface HandlerDependencies {
  webhookPaths: ReadonlySet<string>;
  maxBodyBytes: number;
  maxEventAgeSeconds: number;
  profile: Profile;
  keyring: Keyring;
  dedupe: DedupeStore;
  /** How long a claim may stay in flight before it lapses by itself; longer than any forward. */
  claimTtlMs: number;
  forward(request: ForwardRequest): Promise<ForwardResult>;
}

/**
 * Runs one request through the pipeline, in the order of the response table, and returns its single
 * Outcome. Verification happens on the raw bytes before anything parses them.
 */
export function createWebhookHandler(deps: HandlerDependencies) {
  const { profile, keyring, dedupe } = deps;

  return async function handleWebhook(request: IncomingMessage, requestId: string): Promise<Outcome> {
    const refused = checkRequestLine(request, deps.webhookPaths, deps.maxBodyBytes);
    if (refused) return refused;

    const reading = await readBody(request, deps.maxBodyBytes);
    if (reading.kind === 'aborted') return { kind: 'abandoned' };
    if (reading.kind === 'too_large') return tooLarge(deps.maxBodyBytes);
    const rawBody = reading.body;

    const keys = keyring.values();
    if (keys.length === 0) return fail('not_ready', 'No webhook secret is loaded yet; retry later.');
    const signature = request.headers[profile.header];
    if (typeof signature !== 'string' || signature === '') {
      return reject('missing_signature', `The ${profile.header} header is missing.`);
    }
    if (!verifySignature(rawBody, signature, profile.encoding, keys)) {
      return reject('invalid_signature', `The ${profile.header} signature does not match the body.`);
    }

    const json = parseJson(rawBody);
    if ('kind' in json) return json;
    const valid = validatePayload(json.value, profile.schema);
    if ('kind' in valid) return valid;
    const facts = profile.describe(valid.payload, rawBody);
    const event: EventInfo = { eventId: facts.eventId, eventType: facts.eventType };
    const stale = checkEventAge(facts.timestamp, deps.maxEventAgeSeconds, Date.now());
    if (stale) return { ...stale, event };

    const claim = await dedupe.claim(facts.dedupeKey, deps.claimTtlMs);
    if (claim === 'duplicate') return { kind: 'duplicate', event };
    if (claim === 'in_flight') {
      return { ...fail('in_flight', 'This event is being delivered by another request; retry later.'), event };
    }

    // From here on the claim is ours. Nothing below watches the sender's socket: a forward that has
    // started finishes and is recorded even if the sender hangs up, so its retry is recognised.
    let delivered = false;
    try {
      const result = await deps.forward({
        method: 'POST',
        pathAndQuery: request.url!,
        headers: buildUpstreamHeaders(request.headers, {
          eventId: facts.eventId,
          eventType: facts.eventType,
          requestId,
          remoteAddress: request.socket.remoteAddress,
        }),
        body: rawBody,
      });
      if (result.kind === 'timeout') {
        return { ...fail('upstream_timeout', 'The app did not answer in time.'), event };
      }
      if (result.kind === 'unavailable') {
        return { ...fail('upstream_unavailable', `The app could not be reached (${result.detail}).`), event };
      }
      delivered = result.status >= 200 && result.status < 300;
      return { kind: 'forwarded', event, status: result.status, headers: result.headers, body: result.body };
    } finally {
      if (delivered) await dedupe.complete(facts.dedupeKey);
      else await dedupe.release(facts.dedupeKey);
    }
  };
}

export type WebhookHandler = ReturnType<typeof createWebhookHandler>;
