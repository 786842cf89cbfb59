import type { Logger } from 'pino';

import type { Outcome } from '../webhook/outcome.js';
import { isSuccess, outcomeLabel } from './outcome-label.js';

export interface RequestFacts {
  requestId: string;
  method: string | undefined;
  path: string | undefined;
  status: number | undefined;
  durationMs: number;
}

/**
 * One line per request, derived from its Outcome, at a level that says whose problem it is: the sender's
 * (warn) or ours / the app's (error). Never a body, a signature or a secret.
 */
export function logRequest(logger: Logger, outcome: Outcome, facts: RequestFacts): void {
  const event = 'event' in outcome ? outcome.event : undefined;
  const line = {
    requestId: facts.requestId,
    method: facts.method,
    path: facts.path,
    status: facts.status,
    durationMs: Math.round(facts.durationMs * 1000) / 1000,
    eventId: event?.eventId,
    eventType: event?.eventType,
    outcome: outcomeLabel(outcome),
    reason: 'reason' in outcome ? outcome.reason : undefined,
    enrichment: 'enrichment' in outcome ? outcome.enrichment : undefined,
  };

  switch (outcome.kind) {
    case 'forwarded':
      if (isSuccess(outcome.status)) logger.info(line, 'delivered');
      else logger.error(line, `the app answered ${outcome.status}`);
      return;
    case 'duplicate':
      logger.info(line, 'duplicate of a delivered event');
      return;
    case 'rejected':
      logger.warn(line, outcome.message);
      return;
    case 'failed':
      logger.error(line, outcome.message);
      return;
    case 'abandoned':
      logger.warn(line, 'the sender went away before its body arrived');
      return;
  }
}
