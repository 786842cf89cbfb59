import type { IncomingMessage } from 'node:http';

import type { DedupeStore } from '../dedupe/dedupe-store.js';
import { isSuccess } from '../observability/outcome-label.js';
import type { Keyring } from '../secrets/keyring.js';
import type { Profile } from '../signature/profiles.js';
import { verifySignature } from '../signature/verify-signature.js';
import { buildUpstreamHeaders } from '../upstream/request-headers.js';
import type { ForwardRequest, ForwardResult } from '../upstream/forwarder.js';
import { checkEventAge } from './check-event-age.js';
import type { EnrichStep, EnrichmentResult } from './enrich-event.js';
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
  /** UPSTREAM_TIMEOUT_MS: the most a forward may take, if the sender's deadline leaves that much. */
  upstreamTimeoutMs: number;
  forward(request: ForwardRequest, timeoutMs: number): Promise<ForwardResult>;
  /** Absent when ENRICH_EVENT_TYPES is unset. */
  enrich?: EnrichStep;
  enrichFailure: 'forward' | 'reject';
}

// Genesys Cloud waits 10 s for our answer; keep a margin for the network and writing the answer.
const SENDER_DEADLINE_MS = 9_000;
// Every request ends within its deadline, so a claim lapses by itself only when an attempt never ends at all
// (a bug): then the sender's retries are not blocked for long.
const CLAIM_TTL_MS = SENDER_DEADLINE_MS + 5_000;
// What X-Genesys-Enrichment tells the app.
const ENRICHMENT_HEADER: Record<EnrichmentResult, string> = {
  ok: 'ok',
  skipped: 'skipped',
  failed: 'failed',
  rate_limited: 'failed',
  breaker_open: 'failed',
};

/**
 * Runs one request through the pipeline, in the order of the response table, and returns its single
 * Outcome. Verification happens on the raw bytes before anything parses them.
 */
export function createWebhookHandler(deps: HandlerDependencies) {
  const { profile, keyring, dedupe } = deps;

  return async function handleWebhook(request: IncomingMessage, requestId: string): Promise<Outcome> {
    const deadline = performance.now() + SENDER_DEADLINE_MS;
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

    const claim = await dedupe.claim(facts.dedupeKey, CLAIM_TTL_MS);
    if (claim === 'duplicate') return { kind: 'duplicate', event };
    if (claim === 'in_flight') {
      return { ...fail('in_flight', 'This event is being delivered by another request; retry later.'), event };
    }

    // From here on the claim is ours. Nothing below watches the sender's socket: a forward that has
    // started finishes and is recorded even if the sender hangs up, so its retry is recognised.
    let delivered = false;
    try {
      const headers = buildUpstreamHeaders(request.headers, {
        eventId: facts.eventId,
        eventType: facts.eventType,
        requestId,
        remoteAddress: request.socket.remoteAddress,
      });
      let body = rawBody;
      const enrichment = deps.enrich
        ? await deps.enrich(json.value as object, rawBody, facts.eventType, deadline - performance.now())
        : undefined;
      if (enrichment) {
        if (enrichment.body) body = enrichment.body;
        // Only a lookup that failed is worth a retry; while the breaker is open or the local rate limit is
        // reached, a retry within Genesys's ~25 s of retries would most likely fail the same way.
        else if (enrichment.result === 'failed' && deps.enrichFailure === 'reject') {
          const why = enrichment.detail ?? enrichment.result.replace('_', ' ');
          return {
            ...fail('enrichment_failed', `Enrichment failed (${why}); retry later.`),
            event,
            enrichment: enrichment.result,
          };
        }
        headers['x-genesys-enrichment'] = ENRICHMENT_HEADER[enrichment.result];
      }

      const timeoutMs = Math.max(0, Math.min(deps.upstreamTimeoutMs, deadline - performance.now()));
      const result = await deps.forward({ method: 'POST', pathAndQuery: request.url!, headers, body }, timeoutMs);
      const enriched = { event, enrichment: enrichment?.result };
      if (result.kind === 'timeout')
        return { ...fail('upstream_timeout', 'The app did not answer in time.'), ...enriched };
      if (result.kind === 'unavailable') {
        return { ...fail('upstream_unavailable', `The app could not be reached (${result.detail}).`), ...enriched };
      }
      delivered = isSuccess(result.status);
      return { kind: 'forwarded', ...enriched, status: result.status, headers: result.headers, body: result.body };
    } finally {
      if (delivered) await dedupe.complete(facts.dedupeKey);
      else await dedupe.release(facts.dedupeKey);
    }
  };
}

export type WebhookHandler = ReturnType<typeof createWebhookHandler>;
