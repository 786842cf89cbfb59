export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker. */
  failureThreshold: number;
  /** How long an open breaker refuses every call before it lets one trial through. */
  coolDownMs: number;
  /** Milliseconds on a monotonic clock; injectable so tests need not wait out a cool-down. */
  now: () => number;
  onStateChange?: (state: BreakerState) => void;
}

/**
 * Stops calling a service that keeps failing, so an outage costs each caller nothing instead of its whole
 * time budget. Closed: every call goes through and consecutive failures are counted. Open: every call is
 * refused until the cool-down ends. Half-open: exactly one trial goes through; its success closes the
 * breaker, its failure opens it for another cool-down.
 *
 * Every granted call must end in exactly one of recordSuccess, recordFailure or release; release is for a
 * call that ended without telling anything about the service's health (e.g. it was never sent). Calls are
 * assumed to last less than the cool-down, so none granted while closed is still running beside the trial.
 */
export class CircuitBreaker {
  readonly #options: CircuitBreakerOptions;
  #state: BreakerState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #trialInFlight = false;

  constructor(options: CircuitBreakerOptions) {
    this.#options = options;
  }

  /** The state as the next call would find it (an open breaker whose cool-down is over reads half-open). */
  get state(): BreakerState {
    if (this.#state === 'open' && this.#coolDownOver()) return 'half-open';
    return this.#state;
  }

  /** Whether a call may go through now; true obliges the caller to report how it ended. */
  tryAcquire(): boolean {
    if (this.#state === 'closed') return true;
    if (this.#state === 'open') {
      if (!this.#coolDownOver()) return false;
      this.#setState('half-open');
    }
    if (this.#trialInFlight) return false;
    this.#trialInFlight = true;
    return true;
  }

  recordSuccess(): void {
    this.#failures = 0;
    this.#trialInFlight = false;
    if (this.#state !== 'closed') this.#setState('closed');
  }

  recordFailure(): void {
    this.#trialInFlight = false;
    this.#failures += 1;
    // A failed trial reopens at once: one more failure is all the evidence a half-open breaker needs.
    if (this.#state === 'half-open' || (this.#state === 'closed' && this.#failures >= this.#options.failureThreshold)) {
      this.#openedAt = this.#options.now();
      this.#setState('open');
    }
  }

  release(): void {
    this.#trialInFlight = false;
  }

  #coolDownOver(): boolean {
    return this.#options.now() - this.#openedAt >= this.#options.coolDownMs;
  }

  #setState(state: BreakerState): void {
    this.#state = state;
    this.#options.onStateChange?.(state);
  }
}
