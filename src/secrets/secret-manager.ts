import { createHash } from 'node:crypto';

import type { Logger } from '../observability/logger.js';
import type { Keyring, SecretKey } from './keyring.js';
import type { SecretReading, SecretSource } from './secret-source.js';

export type ReloadResult = 'success' | 'failed';

export interface SecretManagerOptions {
  keyring: Keyring;
  source: SecretSource;
  /** GENESYS_WEBHOOK_SECRET, always accepted alongside the source's keys. */
  inlineKey: SecretKey | undefined;
  /** How long a key that a reload removed is still accepted. */
  graceMs: number;
  logger: Logger;
  onReload(result: ReloadResult): void;
}

interface RetiringKey {
  key: SecretKey;
  until: number;
}

/**
 * Turns a source's readings into the keyring. A reading with usable keys replaces the source's set (keys
 * it dropped stay accepted for the grace period); a reading without any keeps the last good set and
 * counts a failed reload, every time. Identical good readings in a row change nothing and are not counted.
 */
export class SecretManager {
  readonly #options: SecretManagerOptions;
  #current: SecretKey[] = [];
  #retiring: RetiringKey[] = [];
  #lastFingerprint: string | undefined;
  #expiryTimer: NodeJS.Timeout | undefined;

  constructor(options: SecretManagerOptions) {
    this.#options = options;
    this.#publish();
  }

  start(): Promise<void> {
    return this.#options.source.start((reading) => this.#apply(reading));
  }

  async stop(): Promise<void> {
    clearTimeout(this.#expiryTimer);
    await this.#options.source.stop();
  }

  #apply(reading: SecretReading): void {
    const fingerprint = fingerprintOf(reading);
    const changed = fingerprint !== this.#lastFingerprint;
    this.#lastFingerprint = fingerprint;
    const { logger, source, onReload } = this.#options;

    if (reading.keys.length === 0) {
      // Counted at every reading, so that an alert on failed reloads stays on while the source stays broken;
      // logged only when something changed, so that the rescan does not repeat the same line forever.
      onReload('failed');
      if (!changed) return;
      logger.warn(
        { path: source.location, problems: reading.problems, kept: this.#current.map((key) => key.name) },
        this.#current.length > 0
          ? 'secret reload found no usable key; keeping the last good set'
          : this.#options.inlineKey
            ? 'no usable key at the secret source; only GENESYS_WEBHOOK_SECRET is accepted'
            : 'no usable webhook secret yet: not ready, webhooks get 503',
      );
      return;
    }
    if (!changed) return;

    const now = Date.now();
    const incoming = new Set(reading.keys.map((key) => key.value.toString('base64')));
    const removed = this.#current.filter((key) => !incoming.has(key.value.toString('base64')));
    this.#retiring = [
      ...this.#retiring.filter((entry) => entry.until > now && !incoming.has(entry.key.value.toString('base64'))),
      ...(this.#options.graceMs > 0 ? removed.map((key) => ({ key, until: now + this.#options.graceMs })) : []),
    ];
    this.#current = reading.keys;
    this.#publish();
    onReload('success');
    logger.info(
      {
        path: source.location,
        keys: reading.keys.map((key) => key.name),
        count: reading.keys.length,
        removed: removed.map((key) => key.name),
        retiring: this.#retiring.map((entry) => entry.key.name),
        problems: reading.problems.length > 0 ? reading.problems : undefined,
      },
      'webhook secrets loaded',
    );
  }

  /** Puts current, retiring and inline keys into the keyring in one swap, and plans the next expiry. */
  #publish(): void {
    const now = Date.now();
    this.#retiring = this.#retiring.filter((entry) => entry.until > now);
    const keys = [...this.#current, ...this.#retiring.map((entry) => entry.key)];
    if (this.#options.inlineKey) keys.push(this.#options.inlineKey);
    this.#options.keyring.replace(uniqueByValue(keys));

    clearTimeout(this.#expiryTimer);
    const next = Math.min(...this.#retiring.map((entry) => entry.until));
    if (Number.isFinite(next)) this.#expiryTimer = setTimeout(() => this.#publish(), next - now).unref();
  }
}

/** Several names for one value verify alike; computing its HMAC once is enough. */
function uniqueByValue(keys: SecretKey[]): SecretKey[] {
  const seen = new Set<string>();
  return keys.filter((key) => {
    const value = key.value.toString('base64');
    if (seen.has(value)) return false;
    seen.add(value);
    return true;
  });
}

/** Identifies a reading without keeping secret values around in readable form. */
function fingerprintOf(reading: SecretReading): string {
  const hash = createHash('sha256');
  for (const key of reading.keys) hash.update(`${key.name}\0`).update(key.value).update('\0');
  for (const problem of reading.problems) hash.update(`${problem}\0`);
  return hash.digest('hex');
}
