import { performance } from 'node:perf_hooks';

/**
 * One time budget shared by every step of an operation (token, request, retries, waits): its signal aborts
 * whatever is in flight when the budget runs out. Real monotonic time, never an injected clock, because it
 * races real network I/O.
 */
export class Deadline {
  readonly #controller = new AbortController();
  readonly #endsAt: number;
  readonly #timer: NodeJS.Timeout;

  constructor(budgetMs: number) {
    this.#endsAt = performance.now() + budgetMs;
    this.#timer = setTimeout(() => this.#controller.abort(), budgetMs);
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get expired(): boolean {
    return this.#controller.signal.aborted;
  }

  remainingMs(): number {
    return this.#endsAt - performance.now();
  }

  /** Ends the budget early once the operation is over, so its timer does not linger. */
  clear(): void {
    clearTimeout(this.#timer);
  }
}
