/** Genesys Cloud's documented limit: 300 API requests per minute per OAuth token. */
export const GENESYS_REQUESTS_PER_MINUTE = 300;

export interface RateLimiterOptions {
  limit: number;
  windowMs: number;
  /** Milliseconds on a monotonic clock; injectable for tests. */
  now: () => number;
}

/**
 * Keeps our own requests under a "N per window" limit without ever waiting: tryTake() says no when the
 * window is full and the caller goes on without the request.
 *
 * A sliding window of the last N request times rather than a refilling token bucket: a bucket of N that
 * refills N per minute lets 2N through in some minute (a full bucket, then a minute of refills), which the
 * server would answer with 429s. Here no window of windowMs ever holds more than N requests.
 */
export class RateLimiter {
  readonly #options: RateLimiterOptions;
  // A ring of the last `limit` grant times; the slot at #next is the oldest.
  readonly #grants: number[];
  #next = 0;

  constructor(options: RateLimiterOptions) {
    this.#options = options;
    this.#grants = new Array<number>(options.limit).fill(Number.NEGATIVE_INFINITY);
  }

  tryTake(): boolean {
    const now = this.#options.now();
    if (now - this.#grants[this.#next]! < this.#options.windowMs) return false;
    this.#grants[this.#next] = now;
    this.#next = (this.#next + 1) % this.#grants.length;
    return true;
  }
}
