import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

import type { ReloadResult } from '../secrets/secret-manager.js';

import type { Outcome } from '../webhook/outcome.js';

/** Our own registry (not prom-client's global one) with the counters every Outcome feeds. */
export class WebhookMetrics {
  readonly registry = new Registry();
  readonly #accepted: Counter;
  readonly #rejected: Counter<'reason'>;
  readonly #failed: Counter<'reason'>;
  readonly #duplicates: Counter;
  readonly #secretReloads: Counter<'result'>;
  readonly #lastSecretReload: Gauge;

  /** `keysLoaded` is read at each scrape, so keys that expire after their grace period show at once. */
  constructor(gauges: { keysLoaded(): number }) {
    collectDefaultMetrics({ register: this.registry });
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
    new Gauge({
      name: 'genesys_webhook_secrets_loaded',
      help: 'Webhook secrets accepted right now (0 means not ready).',
      registers,
      collect() {
        this.set(gauges.keysLoaded());
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
    // Both results exist from the start, so rate() and alerts see a 0 rather than no series.
    for (const result of ['success', 'failed']) this.#secretReloads.inc({ result }, 0);
  }

  recordSecretReload(result: ReloadResult): void {
    this.#secretReloads.inc({ result });
    if (result === 'success') this.#lastSecretReload.set(Date.now() / 1000);
  }

  record(outcome: Outcome): void {
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
        if (outcome.status >= 200 && outcome.status < 300) this.#accepted.inc();
        break;
      case 'abandoned':
        break;
    }
  }
}
