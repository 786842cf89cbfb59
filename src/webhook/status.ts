import type { FailReason, RejectReason } from './outcome.js';

/** The status code of every refusal, in the order of the response table in the README. */
export const STATUS_BY_REASON: Record<RejectReason | FailReason, number> = {
  not_found: 404,
  method_not_allowed: 405,
  unsupported_media_type: 415,
  payload_too_large: 413,
  not_ready: 503,
  missing_signature: 400,
  invalid_signature: 403,
  malformed_json: 400,
  invalid_payload: 400,
  stale_event: 400,
  in_flight: 503,
  enrichment_failed: 503,
  upstream_unavailable: 502,
  upstream_timeout: 504,
  internal_error: 500,
};

// Genesys Cloud retries about 5 s apart; asking for a retry sooner than that buys nothing.
export const RETRY_AFTER_SECONDS = 5;
