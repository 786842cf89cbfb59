import type { ServerResponse } from 'node:http';

import { sendJson } from '../http/send-json.js';
import type { Outcome } from './outcome.js';
import { RETRY_AFTER_SECONDS, STATUS_BY_REASON } from './status.js';

/**
 * Writes the HTTP answer for an Outcome: the one place where outcomes become status codes. Returns the
 * status sent, or undefined when there was nobody left to answer.
 */
export function respond(response: ServerResponse, outcome: Outcome, requestId: string): number | undefined {
  if (outcome.kind === 'abandoned' || response.destroyed) return undefined;
  response.setHeader('x-request-id', requestId);

  if (outcome.kind === 'forwarded') {
    for (const [name, value] of Object.entries(outcome.headers)) response.setHeader(name, value);
    response.setHeader('x-request-id', requestId);
    // RFC 9110 §8.6: no Content-Length on 204 or 304 (Node sends no body for them either).
    if (outcome.status !== 204 && outcome.status !== 304) response.setHeader('content-length', outcome.body.length);
    response.writeHead(outcome.status).end(outcome.body);
    return outcome.status;
  }
  if (outcome.kind === 'duplicate') {
    return sendJson(response, 200, { status: 'duplicate', event_id: outcome.event.eventId });
  }

  const status = STATUS_BY_REASON[outcome.reason];
  if (outcome.reason === 'method_not_allowed') response.setHeader('allow', 'POST');
  if (status === 503) response.setHeader('retry-after', String(RETRY_AFTER_SECONDS));
  return sendJson(response, status, { error: outcome.reason, message: outcome.message });
}
