import type { IncomingMessage } from 'node:http';

import { reject, type Rejection } from './outcome.js';

/** The path without its query, or undefined for a target that is not origin-form ("/…"). */
export function pathOf(url: string | undefined): string | undefined {
  if (url === undefined || !url.startsWith('/')) return undefined;
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** `application/json`, or any `+json` media type such as `application/cloudevents+json`. */
function isJsonMediaType(contentType: string): boolean {
  const mediaType = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return mediaType === 'application/json' || (mediaType.startsWith('application/') && mediaType.endsWith('+json'));
}

/** The checks that need no body: route, method, media type and a declared length over the limit. */
export function checkRequestLine(
  request: IncomingMessage,
  webhookPaths: ReadonlySet<string>,
  maxBodyBytes: number,
): Rejection | undefined {
  const path = pathOf(request.url);
  if (path === undefined || !webhookPaths.has(path)) return reject('not_found', 'No webhook is served at this path.');
  if (request.method !== 'POST') return reject('method_not_allowed', 'Webhooks are delivered with POST.');

  const contentType = request.headers['content-type'];
  if (contentType !== undefined && !isJsonMediaType(contentType)) {
    return reject('unsupported_media_type', 'The body must be JSON (Content-Type: application/json).');
  }

  const declaredLength = Number(request.headers['content-length'] ?? 0);
  if (declaredLength > maxBodyBytes) return tooLarge(maxBodyBytes);
  return undefined;
}

export function tooLarge(maxBodyBytes: number): Rejection {
  return reject('payload_too_large', `The body is larger than the limit of ${maxBodyBytes} bytes.`);
}
