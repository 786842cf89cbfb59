import type { Readable } from 'node:stream';

import { Pool, errors } from 'undici';

import { connectionTokens, isHopByHop } from './hop-by-hop.js';

// The app's answer to a webhook is normally a few bytes of JSON; this only bounds a misbehaving app.
const MAX_ANSWER_BYTES = 10 * 1024 * 1024;

export interface ForwardRequest {
  method: string;
  /** Path and query as the sender sent them; appended to UPSTREAM_URL's own path. */
  pathAndQuery: string;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

export type ForwardResult =
  | { kind: 'answered'; status: number; headers: Record<string, string | string[]>; body: Buffer }
  | { kind: 'unavailable'; detail: string }
  | { kind: 'timeout' };

/**
 * Sends verified, fully buffered requests to the app over a pool of keep-alive connections and reads the
 * app's whole answer within the time given. Never throws for the app's failures; they are results.
 */
export class Forwarder {
  readonly #pool: Pool;
  readonly #basePath: string;

  /** `maxTimeoutMs` is UPSTREAM_TIMEOUT_MS, the longest any single forward may be given. */
  constructor(upstreamUrl: URL, maxTimeoutMs: number) {
    this.#pool = new Pool(upstreamUrl.origin, {
      // Each forward's own deadline decides; these only keep undici's longer defaults out of the way.
      headersTimeout: maxTimeoutMs,
      bodyTimeout: maxTimeoutMs,
      connect: { timeout: maxTimeoutMs },
    });
    this.#basePath = upstreamUrl.pathname.replace(/\/+$/, '');
  }

  async forward(request: ForwardRequest, timeoutMs: number): Promise<ForwardResult> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    try {
      const answer = await this.#pool.request({
        method: request.method as 'POST',
        path: this.#basePath + request.pathAndQuery,
        headers: request.headers,
        body: request.body,
        signal: deadline.signal,
      });
      const body = await readBounded(answer.body);
      if (body === undefined) {
        return { kind: 'unavailable', detail: `the app's answer exceeded ${MAX_ANSWER_BYTES} bytes` };
      }
      return { kind: 'answered', status: answer.statusCode, headers: answerHeaders(answer.headers), body };
    } catch (error) {
      if (deadline.signal.aborted || isUndiciTimeout(error)) return { kind: 'timeout' };
      return { kind: 'unavailable', detail: describeError(error) };
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }
}

/** The whole answer body, or undefined past MAX_ANSWER_BYTES. Events rather than `for await`: cheaper per chunk. */
function readBounded(body: Readable): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    body.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length <= MAX_ANSWER_BYTES) chunks.push(chunk);
      else {
        body.destroy();
        resolve(undefined);
      }
    });
    body.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length)));
    body.on('error', reject);
  });
}

function answerHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const tokens = connectionTokens(headers.connection);
  const result: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !isHopByHop(name, tokens)) result[name] = value;
  }
  return result;
}

function isUndiciTimeout(error: unknown): boolean {
  return (
    error instanceof errors.HeadersTimeoutError ||
    error instanceof errors.BodyTimeoutError ||
    error instanceof errors.ConnectTimeoutError
  );
}

function describeError(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  return code ?? message ?? String(error);
}
