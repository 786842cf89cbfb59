import { write, writeSync } from 'node:fs';

import { lineStart } from './log-line.js';

// Lines waiting while stdout is slow are bounded: past this, new lines are dropped (and counted) rather
// than let a stalled log collector grow the sidecar's memory without limit.
const MAX_PENDING_BYTES = 8 * 1024 * 1024;
// A non-blocking stdout that is full answers EAGAIN; try again shortly.
const RETRY_AFTER_FULL_MS = 10;

/**
 * Where log lines go: gathered while the event loop is busy and written together once it turns, one
 * write(2) for all the lines of that turn, off the event loop. Lines keep their order. pino writes its own
 * lines here too, so that request lines and the rest stay in one ordered stream.
 */
export class LogSink {
  readonly #fd: number;
  #pending: string[] = [];
  #pendingBytes = 0;
  #dropped = 0;
  #scheduled = false;
  #writing = false;
  #idle: Array<() => void> = [];

  constructor(fd: number) {
    this.#fd = fd;
  }

  /** Queues one or more whole lines. */
  write(lines: string): boolean {
    if (this.#pendingBytes + lines.length > MAX_PENDING_BYTES) {
      this.#dropped++;
      return true;
    }
    this.#pending.push(lines);
    this.#pendingBytes += lines.length;
    if (!this.#scheduled && !this.#writing) {
      this.#scheduled = true;
      setImmediate(this.#startWrite);
    }
    return true;
  }

  /** Calls back once every line queued so far is written (pino's `logger.flush`). */
  flush(callback?: (error?: Error) => void): void {
    if (!callback) return;
    if (!this.#writing && !this.#scheduled && this.#pending.length === 0) callback();
    else this.#idle.push(callback);
  }

  /**
   * Writes what is queued, blocking: for a process that is exiting. Should a write still be in flight, these
   * lines may land before it; out of order is better than lost.
   */
  flushSync(): void {
    const bytes = this.#take();
    if (bytes) writeSync(this.#fd, bytes);
  }

  #startWrite = (): void => {
    this.#scheduled = false;
    if (this.#writing) return;
    const bytes = this.#take();
    if (!bytes) return this.#notifyIdle();
    this.#writing = true;
    this.#writeFrom(bytes, 0);
  };

  #take(): Buffer | undefined {
    if (this.#pending.length === 0 && this.#dropped === 0) return undefined;
    let text = this.#pending.join('');
    if (this.#dropped > 0) {
      text += `${lineStart('warn')},"dropped":${this.#dropped},"msg":"log lines dropped: stdout was not keeping up"}\n`;
      this.#dropped = 0;
    }
    this.#pending = [];
    this.#pendingBytes = 0;
    return Buffer.from(text);
  }

  #writeFrom(bytes: Buffer, offset: number): void {
    write(this.#fd, bytes, offset, bytes.length - offset, null, (error, written) => {
      if (error && error.code === 'EAGAIN') {
        setTimeout(() => this.#writeFrom(bytes, offset), RETRY_AFTER_FULL_MS);
        return;
      }
      // Any other error means stdout is gone (closed pipe): nobody can read these lines any more.
      if (!error && offset + written < bytes.length) {
        this.#writeFrom(bytes, offset + written);
        return;
      }
      this.#writing = false;
      this.#startWrite();
    });
  }

  #notifyIdle(): void {
    const callbacks = this.#idle;
    this.#idle = [];
    for (const callback of callbacks) callback();
  }
}
