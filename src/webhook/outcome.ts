import type { EnrichmentResult } from './enrich-event.js';

/** The sender's fault: a final 4xx that Genesys will not retry. Also the `rejected_total` reason. */
export type RejectReason =
  | 'not_found'
  | 'method_not_allowed'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'missing_signature'
  | 'invalid_signature'
  | 'malformed_json'
  | 'invalid_payload'
  | 'stale_event';

/** Not delivered now through no fault of the request: a 5xx the sender retries. Also the `failed_total` reason. */
export type FailReason =
  'not_ready' | 'in_flight' | 'enrichment_failed' | 'upstream_unavailable' | 'upstream_timeout' | 'internal_error';

export interface Rejection {
  kind: 'rejected';
  reason: RejectReason;
  message: string;
}

export interface Failure {
  kind: 'failed';
  reason: FailReason;
  message: string;
}

/** What the pipeline knows about the event once its payload is valid. */
export interface EventInfo {
  eventId: string;
  eventType: string | undefined;
}

/**
 * The single result of one request. The HTTP answer, the log line and the metrics are all derived from
 * it, in one place each.
 */
export type Outcome =
  | (Rejection & { event?: EventInfo })
  | (Failure & { event?: EventInfo; enrichment?: EnrichmentResult })
  | { kind: 'duplicate'; event: EventInfo }
  | {
      kind: 'forwarded';
      event: EventInfo;
      enrichment: EnrichmentResult | undefined;
      status: number;
      headers: Record<string, string | string[]>;
      body: Buffer;
    }
  /** The sender went away before its body arrived; there is nobody to answer. */
  | { kind: 'abandoned' };

export function reject(reason: RejectReason, message: string): Rejection {
  return { kind: 'rejected', reason, message };
}

export function fail(reason: FailReason, message: string): Failure {
  return { kind: 'failed', reason, message };
}
