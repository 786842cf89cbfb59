import type { Dispatcher } from 'undici';

import type { Logger } from '../observability/logger.js';
import type { ClientCredentials } from './credentials.js';
import type { GenesysMetrics } from './genesys-metrics.js';
import { describeRequestError, parseJsonObject, requestWhole } from './http-answer.js';

// A token answer is a few hundred bytes; this only bounds a misbehaving host.
const MAX_TOKEN_ANSWER_BYTES = 64 * 1024;
// Refresh a little before expires_in runs out, so a token never expires between our check and Genesys's:
// 60 s early for Genesys's usual day-long tokens, 10 % early for short ones.
const MAX_EARLY_REFRESH_MS = 60_000;
const EARLY_REFRESH_FRACTION = 0.1;
// A token request is shared by every caller waiting for it and outlives those that give up (its token is
// still worth caching), so it has its own bound: no webhook can wait longer than the sender's 10 s anyway.
const TOKEN_REQUEST_TIMEOUT_MS = 10_000;

export interface TokenProviderOptions {
  /** A pool for the login host's origin. */
  pool: Dispatcher;
  /** `https://login.{domain}`; a path on it (an egress proxy's) is kept before `/oauth/token`. */
  loginUrl: URL;
  /** Read for every token request, so rotated credentials are used by the next one. */
  credentials: () => Promise<ClientCredentials>;
  /** Milliseconds on a monotonic clock. */
  now: () => number;
  metrics: GenesysMetrics;
  logger: Logger;
}

/** Why no token could be had. The message is safe to log: it never holds a token or a secret. */
export class TokenError extends Error {
  override name = 'TokenError';
}

/**
 * OAuth client credentials grant, as Genesys Cloud documents it: `POST {login}/oauth/token` with HTTP Basic
 * client authentication and `grant_type=client_credentials`; the answer is `{access_token, token_type,
 * expires_in}` and there is no refresh token, so "refreshing" is asking again. The token is cached until
 * shortly before it expires, and concurrent callers share one request.
 */
export class TokenProvider {
  readonly #options: TokenProviderOptions;
  readonly #path: string;
  #cached: { token: string; refreshAt: number } | undefined;
  #inFlight: Promise<string> | undefined;
  #inFlightAbort: AbortController | undefined;

  constructor(options: TokenProviderOptions) {
    this.#options = options;
    this.#path = `${options.loginUrl.pathname.replace(/\/+$/, '')}/oauth/token`;
  }

  /** A valid access token; rejects with TokenError, or with the signal's reason once it aborts. */
  async token(signal: AbortSignal): Promise<string> {
    signal.throwIfAborted();
    const cached = this.#cached;
    if (cached !== undefined && this.#options.now() < cached.refreshAt) return cached.token;
    this.#inFlight ??= this.#refresh().finally(() => {
      this.#inFlight = undefined;
    });
    return untilAborted(this.#inFlight, signal);
  }

  /**
   * Forgets a token the API refused, so the next call asks for a new one. Only that token: when a concurrent
   * caller has already replaced it, the replacement is kept.
   */
  invalidate(token: string): void {
    if (this.#cached?.token === token) this.#cached = undefined;
  }

  /** Abandons a token request in flight, so closing the pool does not wait for it. */
  close(): void {
    this.#inFlightAbort?.abort();
  }

  async #refresh(): Promise<string> {
    const abort = new AbortController();
    this.#inFlightAbort = abort;
    const timer = setTimeout(() => abort.abort(), TOKEN_REQUEST_TIMEOUT_MS);
    try {
      const token = await this.#request(abort.signal);
      this.#options.metrics.tokenRefreshed('success');
      return token;
    } catch (error) {
      const failure = error instanceof TokenError ? error : new TokenError(describeRequestError(error));
      this.#options.metrics.tokenRefreshed('failed');
      this.#options.logger.warn({ detail: failure.message }, 'Genesys Cloud token request failed');
      throw failure;
    } finally {
      clearTimeout(timer);
      this.#inFlightAbort = undefined;
    }
  }

  async #request(signal: AbortSignal): Promise<string> {
    let credentials: ClientCredentials;
    try {
      credentials = await this.#options.credentials();
    } catch (error) {
      throw new TokenError(error instanceof Error ? error.message : String(error));
    }
    const basic = Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`, 'utf8').toString('base64');
    // Counted from before the request, so the cached lifetime can only be shorter than the real one.
    const requestedAt = this.#options.now();
    const answer = await requestWhole(
      this.#options.pool,
      {
        method: 'POST',
        path: this.#path,
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: 'grant_type=client_credentials',
        signal,
      },
      MAX_TOKEN_ANSWER_BYTES,
    );
    const json = parseJsonObject(answer.body);
    if (answer.status !== 200) throw new TokenError(`the login host answered ${answer.status}${oauthError(json)}`);
    const token = json?.access_token;
    const lifetimeSeconds = json?.expires_in;
    const type = json?.token_type;
    if (typeof token !== 'string' || token === '') throw new TokenError('the token answer has no access_token');
    if (typeof type === 'string' && type.toLowerCase() !== 'bearer') {
      throw new TokenError('the token answer is not a bearer token');
    }
    if (typeof lifetimeSeconds !== 'number' || !(lifetimeSeconds > 0)) {
      throw new TokenError('the token answer has no positive expires_in');
    }
    const lifetimeMs = lifetimeSeconds * 1000;
    const refreshAt = requestedAt + lifetimeMs - Math.min(MAX_EARLY_REFRESH_MS, lifetimeMs * EARLY_REFRESH_FRACTION);
    this.#cached = { token, refreshAt };
    this.#options.logger.debug({ expiresInSeconds: lifetimeSeconds }, 'Genesys Cloud token obtained');
    return token;
  }
}

/** The OAuth `error` code of a refusal (e.g. ` invalid_client`), when it is a plain word safe to log. */
function oauthError(json: Record<string, unknown> | undefined): string {
  const error = json?.error;
  return typeof error === 'string' && /^[\w.-]{1,64}$/.test(error) ? ` ${error}` : '';
}

/** The promise's outcome, or a rejection with the signal's reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
