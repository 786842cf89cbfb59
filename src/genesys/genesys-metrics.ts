import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

// From a fast keep-alive answer to the 10 s after which the sender has given up on the whole webhook.
const DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The `code` label of genesys_api_requests_total. The three statuses that each call for a different action
 * get their own value: 401 (a token was refused), 404 (no such conversation; not an outage), 429 (Genesys
 * throttles us). Every other status counts by class, and `error` is a request that got no answer (refused or
 * reset connection, timeout, budget exhausted). So the set stays small and fixed and the values sum to the
 * number of requests.
 */
export const API_CODE_LABELS = ['2xx', '3xx', '4xx', '5xx', '401', '404', '429', 'error'] as const;
export type ApiCodeLabel = (typeof API_CODE_LABELS)[number];

export function apiCodeLabel(status: number | 'error'): ApiCodeLabel {
  if (status === 'error') return 'error';
  if (status === 401 || status === 404 || status === 429) return String(status) as ApiCodeLabel;
  const label = `${Math.floor(status / 100)}xx`;
  // Statuses outside 2xx–5xx (1xx never reaches us) only come from a broken intermediary: an error as well.
  return (API_CODE_LABELS as readonly string[]).includes(label) ? (label as ApiCodeLabel) : 'error';
}

/** The Genesys API client's metrics, registered into the sidecar's own registry. */
export class GenesysMetrics {
  readonly #requests: Counter<'code'>;
  readonly #duration: Histogram;
  readonly #tokenRefreshes: Counter<'result'>;

  /** breakerOpen is read at each scrape, so the gauge is never stale. */
  constructor(registry: Registry, breakerOpen: () => boolean) {
    const registers = [registry];
    this.#requests = new Counter({
      name: 'genesys_api_requests_total',
      help: 'Requests to the Genesys Cloud API (token requests excluded), by answer: 401, 404, 429, class, error.',
      labelNames: ['code'],
      registers,
    });
    this.#duration = new Histogram({
      name: 'genesys_api_request_duration_seconds',
      help: 'How long each Genesys Cloud API request took, answered or not (retries are requests of their own).',
      buckets: DURATION_BUCKETS_SECONDS,
      registers,
    });
    this.#tokenRefreshes = new Counter({
      name: 'genesys_api_token_refreshes_total',
      help: 'OAuth token requests to the Genesys Cloud login host, by result.',
      labelNames: ['result'],
      registers,
    });
    new Gauge({
      name: 'genesys_api_breaker_open',
      help: '1 while the circuit breaker skips Genesys Cloud API calls (open or waiting for its trial), else 0.',
      registers,
      collect() {
        this.set(breakerOpen() ? 1 : 0);
      },
    });

    // Every series exists from the start, so rate() and alerts see a 0 rather than nothing.
    for (const code of API_CODE_LABELS) this.#requests.inc({ code }, 0);
    for (const result of ['success', 'failed']) this.#tokenRefreshes.inc({ result }, 0);
  }

  apiRequestEnded(status: number | 'error', seconds: number): void {
    this.#requests.inc({ code: apiCodeLabel(status) });
    this.#duration.observe(seconds);
  }

  tokenRefreshed(result: 'success' | 'failed'): void {
    this.#tokenRefreshes.inc({ result });
  }
}
