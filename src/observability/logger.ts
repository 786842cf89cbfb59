import { pino, type Logger } from 'pino';

import { LOGGER_NAME, isoTime } from './log-line.js';
import { LogSink } from './log-sink.js';

export type { Logger };

/** The stream a logger writes to: request-log.ts writes its lines there too. */
export function destinationOf(logger: Logger): { write(line: string): unknown } {
  return (logger as unknown as Record<symbol, { write(line: string): unknown }>)[pino.symbols.streamSym]!;
}

/** One JSON object per line on stdout (or on `destination`, for tests). */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  let target = destination;
  if (!target) {
    const stdout = new LogSink(process.stdout);
    // Lines logged just before an exit (a fatal error at start-up, say) are written, not lost.
    process.on('exit', () => stdout.flushSync());
    target = stdout as unknown as NodeJS.WritableStream;
  }
  return pino(
    {
      name: LOGGER_NAME,
      level,
      base: undefined,
      timestamp: () => `,"time":"${isoTime()}"`,
      formatters: { level: (label) => ({ level: label }) },
    },
    target,
  );
}
