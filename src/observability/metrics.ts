import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

import type { ReloadResult } from '../secrets/secret-manager.js';
import type { FailReason, Outcome, RejectReason } from '../webhook/outcome.js';
import { ENRICHMENT_RESULTS } from '../webhook/enrich-event.js';
import { STATUS_BY_REASON } from '../webhook/status.js';
import { isSuccess, OUTCOME_LABELS, outcomeLabel, type OutcomeLabel } from './outcome-label.js';

// From half a millisecond (our own overhead) to the 10 s after which Genesys Cloud gives up.
const DURATION_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 8, 10];

export interface LiveGauges {
  keysLoaded(): number;
  dedupeEntries(): Promise<number>;
}

/**
 * Our own registry (not prom-client's global one). Request counters are derived from each Outcome; label
 * values are the fixed reason and outcome words, never anything taken from a request.
 */
export class WebhookMetrics {
  readonly registry = new Registry();
  readonly #accepted: Counter;
  readonly #rejected: Counter<'reason'>;
  readonly #failed: Counter<'reason'>;
  readonly #duplicates: Counter;
  readonly #upstreamResponses: Counter<'code'>;
  readonly #upstreamByClass: Array<{ inc(): void }> = [];
  readonly #requestDuration: Histogram<'outcome'>;
  readonly #durationByOutcome = new Map<OutcomeLabel, { observe(seconds: number): void }>();
  readonly #upstreamDuration: Histogram;
  /** Read by the gauge at each scrape: cheaper per request than prom-client's inc() / dec(). */
  #inFlight = 0;
  readonly #enrichment: Counter<'result'>;
  readonly #secretReloads: Counter<'result'>;
  readonly #lastSecretReload: Gauge;

  /** The live gauges are read at each scrape, so they are never stale. */
  constructor(live: LiveGauges) {
    // The event-loop delay is sampled every 100 ms rather than prom-client's default 10 ms, which woke an idle
    // sidecar about 200 times a second; a stall still shows in nodejs_eventloop_lag_* at its full length.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 100 });
    const registers = [this.registry];

    this.#accepted = new Counter({
      name: 'genesys_webhook_accepted_total',
      help: 'Webhooks delivered to the app, which answered 2xx.',
      registers,
    });
    this.#rejected = new Counter({
      name: 'genesys_webhook_rejected_total',
      help: 'Webhooks refused because of the request itself (4xx); the sender will not retry them.',
      labelNames: ['reason'],
      registers,
    });
    this.#failed = new Counter({
      name: 'genesys_webhook_failed_total',
      help: 'Webhooks not delivered now through no fault of the request (5xx); the sender retries them.',
      labelNames: ['reason'],
      registers,
    });
    this.#duplicates = new Counter({
      name: 'genesys_webhook_duplicates_total',
      help: 'Webhooks answered as already delivered.',
      registers,
    });
    this.#upstreamResponses = new Counter({
      name: 'genesys_webhook_upstream_responses_total',
      help: "The app's answers by status class.",
      labelNames: ['code'],
      registers,
    });
    this.#requestDuration = new Histogram({
      name: 'genesys_webhook_request_duration_seconds',
      help: 'From the request to our answer, by outcome.',
      labelNames: ['outcome'],
      buckets: DURATION_BUCKETS_SECONDS,
      registers,
    });
    this.#upstreamDuration = new Histogram({
      name: 'genesys_webhook_upstream_duration_seconds',
      help: 'How long the app took to answer a forwarded webhook (including failed attempts).',
      buckets: DURATION_BUCKETS_SECONDS,
      registers,
    });
    this.#enrichment = new Counter({
      name: 'genesys_webhook_enrichment_total',
      help: 'Enrichment attempts through the Genesys Cloud API, by result.',
      labelNames: ['result'],
      registers,
    });
    const inFlight = (): number => this.#inFlight;
    new Gauge({
      name: 'genesys_webhook_in_flight_requests',
      help: 'Webhook requests being handled right now.',
      registers,
      collect() {
        this.set(inFlight());
      },
    });
    new Gauge({
      name: 'genesys_webhook_dedupe_entries',
      help: 'Events the dedupe store remembers or holds in flight.',
      registers,
      async collect() {
        this.set(await live.dedupeEntries());
      },
    });
    new Gauge({
      name: 'genesys_webhook_secrets_loaded',
      help: 'Webhook secrets accepted right now (0 means not ready).',
      registers,
      collect() {
        this.set(live.keysLoaded());
      },
    });
    this.#secretReloads = new Counter({
      name: 'genesys_webhook_secret_reloads_total',
      help: 'Secret readings that changed the keyring (success) or found no usable key (failed).',
      labelNames: ['result'],
      registers,
    });
    this.#lastSecretReload = new Gauge({
      name: 'genesys_webhook_secret_last_reload_timestamp_seconds',
      help: 'When the keyring last changed by a successful reload, in Unix seconds.',
      registers,
    });

    // Every series exists from the start, so rate() and alerts see a 0 rather than nothing.
    for (const [reason, status] of Object.entries(STATUS_BY_REASON)) {
      if (status < 500) this.#rejected.inc({ reason: reason as RejectReason }, 0);
      else this.#failed.inc({ reason: reason as FailReason }, 0);
    }
    for (const code of ['2xx', '3xx', '4xx', '5xx']) {
      this.#upstreamResponses.inc({ code }, 0);
      this.#upstreamByClass[Number(code[0])] = this.#upstreamResponses.labels({ code });
    }
    for (const outcome of OUTCOME_LABELS) {
      this.#requestDuration.zero({ outcome });
      // Bound once here, so that each request's observation skips hashing its labels.
      this.#durationByOutcome.set(outcome, this.#requestDuration.labels({ outcome }));
    }
    for (const result of ['success', 'failed']) this.#secretReloads.inc({ result }, 0);
    for (const result of ENRICHMENT_RESULTS) this.#enrichment.inc({ result }, 0);
  }

  requestStarted(): void {
    this.#inFlight++;
  }

  requestEnded(outcome: Outcome, seconds: number): void {
    this.#inFlight--;
    this.#durationByOutcome.get(outcomeLabel(outcome))!.observe(seconds);
    if ('enrichment' in outcome && outcome.enrichment) this.#enrichment.inc({ result: outcome.enrichment });
    switch (outcome.kind) {
      case 'rejected':
        this.#rejected.inc({ reason: outcome.reason });
        break;
      case 'failed':
        this.#failed.inc({ reason: outcome.reason });
        break;
      case 'duplicate':
        this.#duplicates.inc();
        break;
      case 'forwarded':
        // An app's status is a number from 100 to 599 (undici refuses anything else).
        this.#upstreamByClass[Math.floor(outcome.status / 100)]?.inc();
        if (isSuccess(outcome.status)) this.#accepted.inc();
        break;
      case 'abandoned':
        break;
    }
  }

  upstreamAnswered(seconds: number): void {
    this.#upstreamDuration.observe(seconds);
  }

  recordSecretReload(result: ReloadResult): void {
    this.#secretReloads.inc({ result });
    if (result === 'success') this.#lastSecretReload.set(Date.now() / 1000);
  }
}
