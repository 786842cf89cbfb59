import type { Dispatcher } from 'undici';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Undefined when the body exceeded the bound (it is then discarded with its connection). */
  body: Buffer | undefined;
}

/**
 * Sends one request and reads the whole answer, at most maxBytes of body. Throws what undici throws when
 * there is no answer (refused, reset, aborted through the request's signal).
 */
export async function requestWhole(
  pool: Dispatcher,
  request: Dispatcher.RequestOptions,
  maxBytes: number,
): Promise<HttpAnswer> {
  const answer = await pool.request(request);
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of answer.body as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > maxBytes) {
      answer.body.destroy();
      return { status: answer.statusCode, headers: answer.headers, body: undefined };
    }
    chunks.push(chunk);
  }
  return { status: answer.statusCode, headers: answer.headers, body: Buffer.concat(chunks, length) };
}

/** A short, secret-free description of a failed request: the error code when there is one. */
export function describeRequestError(error: unknown): string {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') return code;
  return typeof message === 'string' ? message : String(error);
}

/** Parses a JSON object; anything else (invalid JSON, an array, a string) is undefined. */
export function parseJsonObject(body: Buffer | undefined): Record<string, unknown> | undefined {
  if (body === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
    return isObject ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
