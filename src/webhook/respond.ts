import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

import { copyHeaders } from '../http/copy-headers.js';
import { sendJson } from '../http/send-json.js';
import type { Outcome } from './outcome.js';
import { RETRY_AFTER_SECONDS, STATUS_BY_REASON } from './status.js';

/**
 * Writes the HTTP answer for an Outcome: the one place where outcomes become status codes. Returns the
 * status sent, or undefined when there was nobody left to answer.
 */
export function respond(response: ServerResponse, outcome: Outcome, requestId: string): number | undefined {
  if (outcome.kind === 'abandoned' || response.destroyed) return undefined;

  // Headers go to writeHead in one object: Node then serializes them directly, without a setHeader each.
  if (outcome.kind === 'forwarded') {
    const headers: OutgoingHttpHeaders = copyHeaders(outcome.headers);
    headers['x-request-id'] = requestId;
    // RFC 9110 §8.6: no Content-Length on 204 or 304 (Node sends no body for them either).
    if (outcome.status !== 204 && outcome.status !== 304) headers['content-length'] = outcome.body.length;
    response.writeHead(outcome.status, headers).end(outcome.body);
    return outcome.status;
  }
  const headers: Record<string, string> = { 'x-request-id': requestId };
  if (outcome.kind === 'duplicate') {
    return sendJson(response, 200, { status: 'duplicate', event_id: outcome.event.eventId }, headers);
  }

  const status = STATUS_BY_REASON[outcome.reason];
  if (outcome.reason === 'method_not_allowed') headers.allow = 'POST';
  if (status === 503) headers['retry-after'] = String(RETRY_AFTER_SECONDS);
  return sendJson(response, status, { error: outcome.reason, message: outcome.message }, headers);
}
