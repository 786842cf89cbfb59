import type { ConversationLookup } from '../genesys/genesys-client.js';
import { patternToRegExp, type EnrichmentConfig } from '../genesys/enrichment-settings.js';
import type { ProfileName } from '../signature/profiles.js';

/** How enrichment ended; also the `genesys_webhook_enrichment_total` label. */
export type EnrichmentResult = 'ok' | 'skipped' | 'failed' | 'rate_limited' | 'breaker_open';

export const ENRICHMENT_RESULTS: readonly EnrichmentResult[] = [
  'ok',
  'skipped',
  'failed',
  'rate_limited',
  'breaker_open',
];

export interface Enrichment {
  result: EnrichmentResult;
  /** The body to forward when `result` is ok: the event plus `enrichment.conversation`. */
  body?: Buffer;
  detail?: string;
}

export interface ConversationSource {
  getConversation(conversationId: string, budgetMs: number): Promise<ConversationLookup>;
}

// Genesys Cloud conversation ids are UUIDs; anything else is not sent into the API's path.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Where events name their conversation: `data.id` (purecloud), `conversationId` (open-messaging), either (custom). */
export function conversationIdOf(profile: ProfileName, event: Record<string, unknown>): string | undefined {
  const fromData = (event.data as Record<string, unknown> | undefined)?.id;
  const candidate =
    profile === 'purecloud'
      ? fromData
      : profile === 'open-messaging'
        ? event.conversationId
        : (event.conversationId ?? fromData);
  return typeof candidate === 'string' && UUID.test(candidate) ? candidate : undefined;
}

/**
 * The signed bytes with `"enrichment": {"conversation": …}` added as the object's last member. Appending
 * rather than re-serialising keeps every original byte (number precision, key order, spacing); should the
 * event have its own `enrichment` member, JSON parsers take the last one, ours.
 */
export function appendEnrichment(rawBody: Buffer, event: object, conversation: unknown): Buffer {
  let end = rawBody.length - 1;
  while (end > 0 && rawBody[end] !== 0x7d) end -= 1; // the object's closing "}"
  const member = `${Object.keys(event).length > 0 ? ',' : ''}"enrichment":${JSON.stringify({ conversation })}`;
  return Buffer.concat([rawBody.subarray(0, end), Buffer.from(member, 'utf8'), rawBody.subarray(end)]);
}

/**
 * The enrichment step: for event types that ENRICH_EVENT_TYPES names, fetch the conversation behind the
 * event within `budgetMs` and add it as a top-level `enrichment` member. Returns undefined for events it
 * does not apply to. Never throws: every failure is a result the pipeline acts on.
 */
export function createEnrichStep(config: EnrichmentConfig, profile: ProfileName, source: ConversationSource) {
  const patterns = config.eventTypes.map(patternToRegExp);

  return async function enrich(
    event: object,
    rawBody: Buffer,
    eventType: string | undefined,
    budgetMs: number,
  ): Promise<Enrichment | undefined> {
    if (eventType === undefined || !patterns.some((pattern) => pattern.test(eventType))) return undefined;
    const conversationId = conversationIdOf(profile, event as Record<string, unknown>);
    if (conversationId === undefined) return { result: 'skipped', detail: 'the event names no conversation' };

    const lookup = await source.getConversation(conversationId, Math.min(config.timeoutMs, budgetMs));
    if (lookup.kind === 'rate_limited' || lookup.kind === 'breaker_open') return { result: lookup.kind };
    if (lookup.kind === 'failed') return { result: 'failed', detail: lookup.detail };
    return { result: 'ok', body: appendEnrichment(rawBody, event, lookup.conversation) };
  };
}

export type EnrichStep = ReturnType<typeof createEnrichStep>;
