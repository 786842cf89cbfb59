import type { IncomingHttpHeaders } from 'node:http';

import { headerSafe } from './header-value.js';
import { connectionTokens, isHopByHop } from './hop-by-hop.js';

export interface VerifiedEventHeaders {
  eventId: string;
  eventType: string | undefined;
  requestId: string;
  /** The address the request came from (the peer of our socket). */
  remoteAddress: string | undefined;
}

/**
 * The headers the app receives: the sender's, minus hop-by-hop fields and minus every `x-genesys-*`
 * field (so a sender cannot forge ours), plus the verified facts and the usual X-Forwarded-* trail.
 */
export function buildUpstreamHeaders(
  incoming: IncomingHttpHeaders,
  event: VerifiedEventHeaders,
): Record<string, string | string[]> {
  const tokens = connectionTokens(incoming.connection);
  const headers: Record<string, string | string[]> = {};
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined || isHopByHop(name, tokens) || isOurs(name)) continue;
    headers[name] = value;
  }

  headers['x-genesys-webhook-verified'] = 'true';
  headers['x-genesys-event-id'] = headerSafe(event.eventId);
  if (event.eventType !== undefined) headers['x-genesys-event-type'] = headerSafe(event.eventType);
  headers['x-request-id'] = event.requestId;

  const priorFor = incoming['x-forwarded-for'];
  const peer = event.remoteAddress ?? 'unknown';
  headers['x-forwarded-for'] = priorFor ? `${priorFor}, ${peer}` : peer;
  headers['x-forwarded-proto'] = firstValue(incoming['x-forwarded-proto']) ?? 'http';
  const host = firstValue(incoming['x-forwarded-host']) ?? incoming.host;
  if (host !== undefined) headers['x-forwarded-host'] = host;
  return headers;
}

/** Ours, in any spelling: CGI-style frameworks read `X-Genesys_Event-Id` as `X-Genesys-Event-Id`. */
function isOurs(name: string): boolean {
  return name.length > 10 && name.charCodeAt(0) === 0x78 && name.replaceAll('_', '-').startsWith('x-genesys-');
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
