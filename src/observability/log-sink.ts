import { lineStart } from './log-line.js';

// Only a stream that can fall behind (an asynchronous one) ever holds lines back; past this, new lines are
// dropped and counted rather than let a stalled reader grow the sidecar's memory without limit. Node writes
// stdout synchronously when it is a file or, on Linux, a pipe, which is how a container's stdout is read.
const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;
// Lines are handed over in batches: at the end of the event-loop turn once this much has gathered, and
// otherwise after a short wait, so that a sidecar at 1,000 requests/s makes ~20 writes a second, not 1,000.
const HAND_OVER_AT_LENGTH = 16 * 1024;
const HAND_OVER_AFTER_MS = 50;

interface LineStream {
  write(text: string, callback?: (error?: Error | null) => void): boolean;
  readonly writableLength: number;
}

/**
 * Where log lines go: gathered and handed to the stream in one write per batch instead of one write(2) per
 * line, never later than HAND_OVER_AFTER_MS. Lines keep their order. pino writes its own lines here too, so
 * that request lines and the rest stay one ordered stream.
 */
export class LogSink {
  readonly #stream: LineStream;
  #pending: string[] = [];
  #pendingLength = 0;
  #dropped = 0;
  #soon: NodeJS.Immediate | undefined;
  #later: NodeJS.Timeout | undefined;

  constructor(stream: LineStream) {
    this.#stream = stream;
  }

  /** Queues one or more whole lines. */
  write(lines: string): boolean {
    this.#pending.push(lines);
    this.#pendingLength += lines.length;
    if (this.#pendingLength >= HAND_OVER_AT_LENGTH) this.#soon ??= setImmediate(this.#handOver);
    // Unref'd: a pending batch must not keep an otherwise finished process alive (exit hands it over).
    else this.#later ??= setTimeout(this.#handOver, HAND_OVER_AFTER_MS).unref();
    return true;
  }

  /** Calls back once every line queued so far has been written (pino's `logger.flush`). */
  flush(callback?: (error?: Error) => void): void {
    this.#handOver();
    if (!callback) return;
    if (this.#stream.writableLength === 0) process.nextTick(callback);
    else this.#stream.write('', () => callback());
  }

  /** Hands what is queued to the stream now: for a process that is about to exit. */
  flushSync(): void {
    this.#handOver();
  }

  #handOver = (): void => {
    clearImmediate(this.#soon);
    clearTimeout(this.#later);
    this.#soon = this.#later = undefined;
    if (this.#pending.length === 0) return;
    const text = this.#pending.join('');
    this.#pending = [];
    this.#pendingLength = 0;
    if (this.#stream.writableLength > MAX_BACKLOG_BYTES) {
      this.#dropped += countLines(text);
      return;
    }
    if (this.#dropped > 0) {
      this.#stream.write(
        `${lineStart('warn')},"dropped":${this.#dropped},"msg":"log lines dropped: stdout was not keeping up"}\n`,
      );
      this.#dropped = 0;
    }
    this.#stream.write(text);
  };
}

function countLines(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++;
  return count;
}
