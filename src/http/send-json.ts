import type { ServerResponse } from 'node:http';

import { copyHeaders } from './copy-headers.js';

/** Answers with a JSON body and its length; returns the status for the caller's records. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: object,
  headers: Record<string, string> = {},
): number {
  const text = JSON.stringify(body);
  const all = copyHeaders<string | number>(headers);
  all['content-type'] = 'application/json';
  all['content-length'] = Buffer.byteLength(text);
  response.writeHead(status, all).end(text);
  return status;
}
