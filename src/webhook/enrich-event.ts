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

/** Where each profile's events name their conversation: `data.id` for purecloud, `conversationId` for Open Messaging. */
export function conversationIdOf(profile: ProfileName, event: Record<string, unknown>): string | undefined {
  const fromData = (event.data as Record<string, unknown> | undefined)?.id;
  const candidate =
    profile === 'purecloud'
      ? fromData
      : profile === 'open-messaging'
        ? event.conversationId
        : (event.conversationId ?? fromData);
  return typeof candidate === 'string' && candidate !== '' ? candidate : undefined;
}

/**
 * The enrichment step: for event types that ENRICH_EVENT_TYPES names, fetch the conversation behind the
 * event within `budgetMs` and add it as a top-level `enrichment` field. Returns undefined for events it
 * does not apply to. Never throws: every failure is a result the pipeline acts on.
 */
export function createEnrichStep(config: EnrichmentConfig, profile: ProfileName, source: ConversationSource) {
  const patterns = config.eventTypes.map(patternToRegExp);

  return async function enrich(
    event: object,
    eventType: string | undefined,
    budgetMs: number,
  ): Promise<Enrichment | undefined> {
    if (eventType === undefined || !patterns.some((pattern) => pattern.test(eventType))) return undefined;
    const conversationId = conversationIdOf(profile, event as Record<string, unknown>);
    if (conversationId === undefined) return { result: 'skipped', detail: 'the event names no conversation' };

    const lookup = await source.getConversation(conversationId, Math.min(config.timeoutMs, budgetMs));
    if (lookup.kind === 'rate_limited' || lookup.kind === 'breaker_open') return { result: lookup.kind };
    if (lookup.kind === 'failed') return { result: 'failed', detail: lookup.detail };
    try {
      // A spread copies an own "__proto__" key as data, so the app still sees every original field.
      const enriched = { ...event, enrichment: { conversation: lookup.conversation } };
      return { result: 'ok', body: Buffer.from(JSON.stringify(enriched), 'utf8') };
    } catch (error) {
      // JSON.stringify recurses: hostile nesting that JSON.parse accepted can overflow the stack here.
      return { result: 'failed', detail: `the enriched body could not be written (${(error as Error).name})` };
    }
  };
}

export type EnrichStep = ReturnType<typeof createEnrichStep>;
