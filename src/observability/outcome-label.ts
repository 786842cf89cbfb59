import type { Outcome } from '../webhook/outcome.js';

/**
 * The one word that says how a request ended, shared by the log field `outcome` and the metric label:
 * delivered (app 2xx), app_error (the app answered anything else), duplicate, rejected, failed, abandoned.
 */
export type OutcomeLabel = 'delivered' | 'app_error' | 'duplicate' | 'rejected' | 'failed' | 'abandoned';

export const OUTCOME_LABELS: readonly OutcomeLabel[] = [
  'delivered',
  'app_error',
  'duplicate',
  'rejected',
  'failed',
  'abandoned',
];

export function outcomeLabel(outcome: Outcome): OutcomeLabel {
  if (outcome.kind === 'forwarded') return isSuccess(outcome.status) ? 'delivered' : 'app_error';
  return outcome.kind;
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}
