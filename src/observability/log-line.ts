// The start of every log line, shared by pino's configuration (logger.ts) and the lines the sidecar
// writes itself (request-log.ts, log-sink.ts), so that all of them read alike.

export const LOGGER_NAME = 'genesys-webhook-sidecar';

let lastMs = NaN;
let lastIso = '';

/** ISO 8601 time in UTC; several lines within one millisecond share one formatting. */
export function isoTime(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastIso = new Date(now).toISOString();
  }
  return lastIso;
}

/** `{"level":…,"time":…,"name":…` as pino writes it, without the closing brace. */
export function lineStart(level: string): string {
  return `{"level":"${level}","time":"${isoTime()}","name":"${LOGGER_NAME}"`;
}
