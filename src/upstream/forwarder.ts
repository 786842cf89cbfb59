import { Pool, errors, type Dispatcher } from 'undici';

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
  readonly #onSettled: (seconds: number) => void;

  /**
   * `maxTimeoutMs` is UPSTREAM_TIMEOUT_MS, the longest any single forward may be given; `onSettled` hears how
   * long each forward took, whatever its result.
   */
  constructor(upstreamUrl: URL, maxTimeoutMs: number, onSettled: (seconds: number) => void = () => {}) {
    this.#onSettled = onSettled;
    this.#pool = new Pool(upstreamUrl.origin, {
      // Each forward's own deadline decides; these only keep undici's longer defaults out of the way.
      headersTimeout: maxTimeoutMs,
      bodyTimeout: maxTimeoutMs,
      connect: { timeout: maxTimeoutMs },
    });
    this.#basePath = upstreamUrl.pathname.replace(/\/+$/, '');
  }

  forward(request: ForwardRequest, timeoutMs: number): Promise<ForwardResult> {
    return new Promise((resolve) => {
      const options = {
        method: request.method as Dispatcher.HttpMethod,
        path: this.#basePath + request.pathAndQuery,
        headers: request.headers,
        body: request.body,
      };
      this.#pool.dispatch(options, new BufferedAnswer(resolve, timeoutMs, this.#onSettled));
    });
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }
}

/**
 * Collects one answer for `forward`. undici's dispatch handler is used rather than `request()`, which
 * would add a stream, an AbortController and a promise per forward on the sidecar's busiest path.
 * Settles exactly once: with the whole answer, with the failure, or at the deadline, whichever is first.
 */
class BufferedAnswer implements Dispatcher.DispatchHandler {
  readonly #settle: (result: ForwardResult) => void;
  readonly #onSettled: (seconds: number) => void;
  readonly #started = performance.now();
  readonly #timer: NodeJS.Timeout;
  #controller: Dispatcher.DispatchController | undefined;
  #settled = false;
  #status = 0;
  #headers: Record<string, string | string[] | undefined> = {};
  #chunks: Buffer[] = [];
  #length = 0;

  constructor(resolve: (result: ForwardResult) => void, timeoutMs: number, onSettled: (seconds: number) => void) {
    this.#settle = resolve;
    this.#onSettled = onSettled;
    this.#timer = setTimeout(() => this.#giveUp({ kind: 'timeout' }), timeoutMs);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    // The deadline passed while the request waited for a connection.
    if (this.#settled) controller.abort(new errors.RequestAbortedError('forward deadline passed'));
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    status: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    this.#status = status;
    this.#headers = headers;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#length += chunk.length;
    if (this.#length <= MAX_ANSWER_BYTES) this.#chunks.push(chunk);
    else this.#giveUp({ kind: 'unavailable', detail: `the app's answer exceeded ${MAX_ANSWER_BYTES} bytes` });
  }

  onResponseEnd(): void {
    const chunks = this.#chunks;
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.#length);
    this.#finish({ kind: 'answered', status: this.#status, headers: answerHeaders(this.#headers), body });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#finish(isUndiciTimeout(error) ? { kind: 'timeout' } : { kind: 'unavailable', detail: describeError(error) });
  }

  /** Settles now and stops the exchange with the app, if it has started. */
  #giveUp(result: ForwardResult): void {
    this.#finish(result);
    this.#controller?.abort(new errors.RequestAbortedError('forward abandoned'));
  }

  #finish(result: ForwardResult): void {
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#timer);
    this.#chunks = [];
    this.#onSettled((performance.now() - this.#started) / 1000);
    this.#settle(result);
  }
}

function answerHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const tokens = connectionTokens(headers.connection);
  const result: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
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
