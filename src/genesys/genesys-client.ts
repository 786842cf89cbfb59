import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Registry } from 'prom-client';
import { Pool } from 'undici';

import type { Logger } from '../observability/logger.js';
import { CircuitBreaker, type BreakerState } from './circuit-breaker.js';
import { readClientCredentials, type CredentialSource } from './credentials.js';
import { Deadline } from './deadline.js';
import { GenesysMetrics } from './genesys-metrics.js';
import { describeRequestError, parseJsonObject, requestWhole, type HttpAnswer } from './http-answer.js';
import { GENESYS_REQUESTS_PER_MINUTE, RateLimiter } from './rate-limiter.js';
import { TokenProvider } from './token-provider.js';

export const BREAKER_FAILURE_THRESHOLD = 5;
export const BREAKER_COOL_DOWN_MS = 30_000;
// A conversation with many participants is tens of KiB; this only bounds a misbehaving host.
const MAX_CONVERSATION_BYTES = 1024 * 1024;
// Less budget than this cannot fit a request, and a request cut short by our own budget would be counted
// against Genesys by the breaker; so such a call or retry is not started at all.
const MIN_ATTEMPT_MS = 50;
// The pause before the one retry after a 5xx or a reset: jittered so replicas hit by the same blip do not
// retry in lockstep.
const RETRY_PAUSE_MIN_MS = 50;
const RETRY_PAUSE_JITTER_MS = 100;
// Keeps connections across webhooks that arrive seconds apart (undici's default is 4 s); a connection the
// server closed meanwhile fails fast and costs the one retry.
const KEEP_ALIVE_MS = 20_000;
const BUDGET_EXHAUSTED = 'enrichment budget exhausted';

export type ConversationLookup =
  | { kind: 'ok'; conversation: unknown }
  | { kind: 'failed'; detail: string }
  | { kind: 'rate_limited' }
  | { kind: 'breaker_open' };

export interface GenesysClientOptions {
  /** `https://api.{domain}`; a path on it (an egress proxy's) is kept before `/api/v2`. */
  apiUrl: URL;
  /** `https://login.{domain}`. */
  loginUrl: URL;
  clientId: CredentialSource;
  clientSecret: CredentialSource;
  registry: Registry;
  logger: Logger;
  /** Milliseconds on a monotonic clock, for token expiry, the breaker's cool-down and the rate limit. */
  now?: () => number;
}

/**
 * How a lookup ended, and whether that tells the breaker Genesys is down (no answer, 5xx, no token) or up
 * (it answered: a 404 or a 429 is not an outage).
 */
interface Verdict {
  lookup: ConversationLookup;
  genesysDown: boolean;
}

type RetryCause = 'refused-token' | 'throttled' | 'unavailable';

/**
 * Reads conversations from the Genesys Cloud API for enrichment, within a caller's time budget, and never
 * throws: every way it can end is a ConversationLookup. Each kind of retry (a refused token, a 429, a 5xx or
 * a reset) happens at most once per lookup, and only when it fits in the budget.
 */
export class GenesysClient {
  readonly #loginPool: Pool;
  readonly #apiPool: Pool;
  readonly #apiBasePath: string;
  readonly #tokens: TokenProvider;
  readonly #breaker: CircuitBreaker;
  readonly #limiter: RateLimiter;
  readonly #metrics: GenesysMetrics;
  readonly #logger: Logger;

  constructor(options: GenesysClientOptions) {
    const now = options.now ?? (() => performance.now());
    this.#logger = options.logger;
    this.#breaker = new CircuitBreaker({
      failureThreshold: BREAKER_FAILURE_THRESHOLD,
      coolDownMs: BREAKER_COOL_DOWN_MS,
      now,
      onStateChange: (state) => this.#breakerChanged(state),
    });
    this.#limiter = new RateLimiter({ limit: GENESYS_REQUESTS_PER_MINUTE, windowMs: 60_000, now });
    this.#metrics = new GenesysMetrics(options.registry, () => this.#breaker.state !== 'closed');
    this.#loginPool = new Pool(options.loginUrl.origin, { keepAliveTimeout: KEEP_ALIVE_MS });
    this.#apiPool = new Pool(options.apiUrl.origin, { keepAliveTimeout: KEEP_ALIVE_MS });
    this.#apiBasePath = options.apiUrl.pathname.replace(/\/+$/, '');
    this.#tokens = new TokenProvider({
      pool: this.#loginPool,
      loginUrl: options.loginUrl,
      credentials: () => readClientCredentials(options.clientId, options.clientSecret),
      now,
      metrics: this.#metrics,
      logger: options.logger,
    });
  }

  /** `GET /api/v2/conversations/{id}`, everything included finished within budgetMs. */
  async getConversation(conversationId: string, budgetMs: number): Promise<ConversationLookup> {
    const path = this.#conversationPath(conversationId);
    if (path === undefined) return failed('the conversation id is empty or not well-formed Unicode');
    if (budgetMs < MIN_ATTEMPT_MS) return failed(BUDGET_EXHAUSTED);
    if (!this.#breaker.tryAcquire()) return { kind: 'breaker_open' };
    if (!this.#limiter.tryTake()) {
      this.#breaker.release();
      return { kind: 'rate_limited' };
    }
    const deadline = new Deadline(budgetMs);
    try {
      const verdict = await this.#lookup(path, deadline);
      if (verdict.genesysDown) this.#breaker.recordFailure();
      else this.#breaker.recordSuccess();
      return verdict.lookup;
    } finally {
      deadline.clear();
    }
  }

  async close(): Promise<void> {
    this.#tokens.close();
    await Promise.all([this.#loginPool.close(), this.#apiPool.close()]);
  }

  async #lookup(path: string, deadline: Deadline): Promise<Verdict> {
    const retried = new Set<RetryCause>();
    for (;;) {
      let token: string;
      try {
        token = await this.#tokens.token(deadline.signal);
      } catch (error) {
        return down(deadline.expired ? BUDGET_EXHAUSTED : `no token: ${describeRequestError(error)}`);
      }

      const answer = await this.#get(path, token, deadline);
      if (typeof answer === 'string') {
        if (deadline.expired) return down(BUDGET_EXHAUSTED);
        if (await this.#mayRetry('unavailable', retryPauseMs(), retried, deadline)) continue;
        return down(answer);
      }

      const { status } = answer;
      if (status === 200) return up(conversationFrom(answer));
      if (status === 404) return up(failed('conversation not found'));
      if (status === 401) {
        // Revoked or expired early at Genesys's end: a fresh token may well be accepted.
        this.#tokens.invalidate(token);
        if (await this.#mayRetry('refused-token', 0, retried, deadline)) continue;
      } else if (status === 429) {
        const waitMs = retryAfterMs(answer.headers['retry-after']);
        if (waitMs !== undefined && (await this.#mayRetry('throttled', waitMs, retried, deadline))) continue;
      } else if (status >= 500) {
        if (await this.#mayRetry('unavailable', retryPauseMs(), retried, deadline)) continue;
        return down(`Genesys answered ${status}`);
      }
      return up(failed(`Genesys answered ${status}`));
    }
  }

  /** One API request: its answer, or why there was none. */
  async #get(path: string, token: string, deadline: Deadline): Promise<HttpAnswer | string> {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const answer = await requestWhole(
        this.#apiPool,
        {
          method: 'GET',
          path,
          headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
          signal: deadline.signal,
        },
        MAX_CONVERSATION_BYTES,
      );
      this.#metrics.apiRequestEnded(answer.status, seconds());
      return answer;
    } catch (error) {
      this.#metrics.apiRequestEnded('error', seconds());
      return describeRequestError(error);
    }
  }

  /**
   * Whether to try again after pausing pauseMs: only once per cause, only when the pause and a request still
   * fit in the budget, and only within the local rate limit (a retry is a request like any other).
   */
  async #mayRetry(cause: RetryCause, pauseMs: number, retried: Set<RetryCause>, deadline: Deadline): Promise<boolean> {
    if (retried.has(cause) || pauseMs + MIN_ATTEMPT_MS > deadline.remainingMs()) return false;
    if (!this.#limiter.tryTake()) return false;
    retried.add(cause);
    // The deadline cannot fire during the pause: at least MIN_ATTEMPT_MS is left after it.
    if (pauseMs > 0) await sleep(pauseMs);
    return true;
  }

  #conversationPath(conversationId: string): string | undefined {
    if (conversationId === '') return undefined;
    try {
      return `${this.#apiBasePath}/api/v2/conversations/${encodeURIComponent(conversationId)}`;
    } catch {
      // encodeURIComponent throws URIError for a lone surrogate, which JSON happily carries.
      return undefined;
    }
  }

  #breakerChanged(state: BreakerState): void {
    if (state === 'open') {
      this.#logger.warn(
        { coolDownSeconds: BREAKER_COOL_DOWN_MS / 1000 },
        'Genesys Cloud API circuit breaker opened: enrichment is skipped until a trial call succeeds',
      );
    } else if (state === 'closed') {
      this.#logger.info('Genesys Cloud API circuit breaker closed: enrichment resumes');
    }
  }
}

function failed(detail: string): ConversationLookup {
  return { kind: 'failed', detail };
}

function up(lookup: ConversationLookup): Verdict {
  return { lookup, genesysDown: false };
}

function down(detail: string): Verdict {
  return { lookup: failed(detail), genesysDown: true };
}

function conversationFrom(answer: HttpAnswer): ConversationLookup {
  if (answer.body === undefined) return failed(`the conversation exceeded ${MAX_CONVERSATION_BYTES} bytes`);
  const conversation = parseJsonObject(answer.body);
  return conversation === undefined ? failed('the conversation is not a JSON object') : { kind: 'ok', conversation };
}

/** Genesys sends Retry-After as whole seconds on every 429. */
function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  return value !== undefined && /^\d+$/.test(value) ? Number(value) * 1000 : undefined;
}

function retryPauseMs(): number {
  return RETRY_PAUSE_MIN_MS + Math.random() * RETRY_PAUSE_JITTER_MS;
}
