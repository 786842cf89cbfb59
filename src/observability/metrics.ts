import { Counter, Registry, collectDefaultMetrics } from 'prom-client';

import type { Outcome } from '../webhook/outcome.js';

/** Our own registry (not prom-client's global one) with the counters every Outcome feeds. */
export class WebhookMetrics {
  readonly registry = new Registry();
  readonly #accepted: Counter;
  readonly #rejected: Counter<'reason'>;
  readonly #failed: Counter<'reason'>;
  readonly #duplicates: Counter;

  constructor() {
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
