import type { ServerResponse } from 'node:http';

/** Answers with a JSON body and its length; returns the status for the caller's records. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: object,
  headers: Record<string, string> = {},
): number {
  const text = JSON.stringify(body);
  response
    .writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
    .end(text);
  return status;
}
