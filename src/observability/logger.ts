import { pino, type Logger } from 'pino';

export type { Logger };

/** One JSON object per line on stdout. Nothing we log carries a secret, but redact guards mistakes. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      name: 'genesys-webhook-sidecar',
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: ['secret', '*.secret', 'GENESYS_WEBHOOK_SECRET', '*.GENESYS_WEBHOOK_SECRET'],
        censor: '[redacted]',
      },
    },
    destination ?? pino.destination({ sync: false }),
  );
}
