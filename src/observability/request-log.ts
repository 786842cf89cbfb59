import type { Logger } from 'pino';

import type { Outcome } from '../webhook/outcome.js';
import { lineStart } from './log-line.js';
import { destinationOf } from './logger.js';
import { isSuccess, outcomeLabel } from './outcome-label.js';

export interface RequestFacts {
  requestId: string;
  method: string | undefined;
  path: string | undefined;
  status: number | undefined;
  durationMs: number;
}

type Level = 'info' | 'warn' | 'error';

/**
 * One line per request, derived from its Outcome, at a level that says whose problem it is: the sender's
 * (warn) or ours / the app's (error). Never a body, a signature or a secret.
 *
 * The line is written straight to the logger's destination in the shape pino gives every other line:
 * this runs for every request, and pino's general-purpose serializer cost several times more.
 */
export function createRequestLog(logger: Logger): (outcome: Outcome, facts: RequestFacts) => void {
  const destination = destinationOf(logger);
  return function logRequest(outcome, facts) {
    const [level, message] = levelAndMessage(outcome);
    if (!logger.isLevelEnabled(level)) return;
    const event = 'event' in outcome ? outcome.event : undefined;
    let line = `${lineStart(level)},"requestId":${JSON.stringify(facts.requestId)}`;
    if (facts.method !== undefined) line += `,"method":${JSON.stringify(facts.method)}`;
    if (facts.path !== undefined) line += `,"path":${JSON.stringify(facts.path)}`;
    if (facts.status !== undefined) line += `,"status":${facts.status}`;
    line += `,"durationMs":${Math.round(facts.durationMs * 1000) / 1000}`;
    if (event !== undefined) {
      line += `,"eventId":${JSON.stringify(event.eventId)}`;
      if (event.eventType !== undefined) line += `,"eventType":${JSON.stringify(event.eventType)}`;
    }
    line += `,"outcome":"${outcomeLabel(outcome)}"`;
    if ('reason' in outcome) line += `,"reason":"${outcome.reason}"`;
    if ('enrichment' in outcome && outcome.enrichment !== undefined) line += `,"enrichment":"${outcome.enrichment}"`;
    destination.write(`${line},"msg":${JSON.stringify(message)}}\n`);
  };
}

function levelAndMessage(outcome: Outcome): [Level, string] {
  switch (outcome.kind) {
    case 'forwarded':
      return isSuccess(outcome.status) ? ['info', 'delivered'] : ['error', `the app answered ${outcome.status}`];
    case 'duplicate':
      return ['info', 'duplicate of a delivered event'];
    case 'rejected':
      return ['warn', outcome.message];
    case 'failed':
      return ['error', outcome.message];
    case 'abandoned':
      return ['warn', 'the sender went away before its body arrived'];
  }
}
