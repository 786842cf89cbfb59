import type { SecretKey } from './keyring.js';

/** One look at where the secrets live. */
export interface SecretReading {
  keys: SecretKey[];
  /** Why some entries gave no key, or why nothing could be read. Names only, never values. */
  problems: string[];
}

/**
 * Somewhere secrets come from and may change: a mounted Secret volume, or the Kubernetes API. A source
 * reports every reading it makes; deciding what a reading means for the keyring is the manager's job.
 */
export interface SecretSource {
  /** Where the secrets come from, for logs (a path, or namespace/name). */
  readonly location: string;
  /** Makes the first reading (resolving once it is reported), then keeps reporting changes. */
  start(report: (reading: SecretReading) => void): Promise<void>;
  stop(): Promise<void>;
}
