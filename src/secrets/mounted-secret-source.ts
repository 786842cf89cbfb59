import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';

import { readSecretPath } from './read-secret-path.js';
import type { SecretReading, SecretSource } from './secret-source.js';

// The kubelet's swap is several filesystem operations in a row; one re-read after they settle is enough.
const SETTLE_MS = 50;

/**
 * A mounted Secret volume (or a single file), re-read when inotify says it changed and, as a safety net,
 * every `rescanIntervalMs`: events are missed on some volume drivers and never arrive through a `subPath`
 * mount, and a directory that is removed and created again needs a new watch.
 */
export class MountedSecretSource implements SecretSource {
  readonly location: string;
  readonly #rescanIntervalMs: number;
  #report: (reading: SecretReading) => void = () => undefined;
  #watcher: FSWatcher | undefined;
  #watchedIdentity: string | undefined;
  #rescanTimer: NodeJS.Timeout | undefined;
  #settleTimer: NodeJS.Timeout | undefined;
  #reading: Promise<void> | undefined;
  #readAgain = false;
  #stopped = false;

  constructor(path: string, rescanIntervalMs: number) {
    this.location = path;
    this.#rescanIntervalMs = rescanIntervalMs;
  }

  async start(report: (reading: SecretReading) => void): Promise<void> {
    this.#report = report;
    await this.#read();
    this.#rescanTimer = setInterval(() => void this.#read(), this.#rescanIntervalMs).unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#rescanTimer);
    clearTimeout(this.#settleTimer);
    this.#watcher?.close();
    await this.#reading;
  }

  /** One read at a time; a change noticed during a read gets one more read after it. */
  #read(): Promise<void> {
    if (this.#reading) {
      this.#readAgain = true;
      return this.#reading;
    }
    this.#reading = (async () => {
      do {
        this.#readAgain = false;
        await this.#ensureWatch();
        const reading = await readSecretPath(this.location);
        if (!this.#stopped) this.#report(reading);
      } while (this.#readAgain && !this.#stopped);
    })().finally(() => {
      this.#reading = undefined;
    });
    return this.#reading;
  }

  /**
   * Watches the directory itself, or a single file's directory (files are replaced by rename). A watch
   * dies with the directory it watched, so it is renewed whenever the directory is a new one.
   */
  async #ensureWatch(): Promise<void> {
    let target: string;
    let identity: string;
    try {
      const found = await stat(this.location);
      target = found.isDirectory() ? this.location : dirname(this.location);
      const watched = await stat(target);
      identity = `${watched.dev}:${watched.ino}`;
    } catch {
      this.#closeWatch();
      return;
    }
    if (this.#stopped || (this.#watcher && identity === this.#watchedIdentity)) return;

    this.#closeWatch();
    try {
      this.#watcher = watch(target, { persistent: false }, () => this.#changed());
      this.#watcher.on('error', () => this.#closeWatch());
      this.#watchedIdentity = identity;
    } catch {
      // Not watchable (some volume drivers): the periodic re-read still notices changes.
    }
  }

  #closeWatch(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
    this.#watchedIdentity = undefined;
  }

  #changed(): void {
    clearTimeout(this.#settleTimer);
    this.#settleTimer = setTimeout(() => void this.#read(), SETTLE_MS);
  }
}
