import { pino, type Logger } from 'pino';

export type { Logger };

// Lines are gathered up to 4 KiB before a write, so that a busy sidecar makes one write(2) per dozen
// requests rather than one per request; a quiet one still shows each line within a second. pino writes
// what is left when the process exits.
const STDOUT = { sync: false, minLength: 4096, periodicFlush: 1000 };

/** One JSON object per line on stdout. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      name: 'genesys-webhook-sidecar',
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination(STDOUT),
  );
}
