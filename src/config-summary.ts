import type { Config } from './config.js';

/** The effective settings as plain values, fit to log or print: secrets appear only as "[redacted]". */
export function effectiveSettings(config: Config): Record<string, unknown> {
  return {
    listen: `${config.listenHost}:${config.listenPort}`,
    adminPort: config.adminPort,
    upstreamUrl: withoutPassword(config.upstreamUrl),
    webhookPaths: [...config.webhookPaths],
    profile: config.profile,
    signatureHeader: config.signatureHeader,
    signatureEncoding: config.signatureEncoding,
    secretSource: config.secretSource,
    webhookSecretPath: config.secretSource === 'file' ? config.webhookSecretPath : undefined,
    secretName: config.secretName,
    secretNamespace: config.secretNamespace,
    secretRescanSeconds: config.secretRescanSeconds,
    secretGraceSeconds: config.secretGraceSeconds,
    inlineSecret: config.inlineSecret === undefined ? undefined : '[redacted]',
    maxBodyBytes: config.maxBodyBytes,
    upstreamTimeoutMs: config.upstreamTimeoutMs,
    dedupeTtlSeconds: config.dedupeTtlSeconds,
    dedupeMaxEntries: config.dedupeMaxEntries,
    maxEventAgeSeconds: config.maxEventAgeSeconds,
    shutdownDelaySeconds: config.shutdownDelaySeconds,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    logLevel: config.logLevel,
    enrichment: config.enrichment && {
      eventTypes: config.enrichment.eventTypes,
      failureMode: config.enrichment.failureMode,
      timeoutMs: config.enrichment.timeoutMs,
      loginUrl: withoutPassword(config.enrichment.loginUrl),
      apiUrl: withoutPassword(config.enrichment.apiUrl),
      clientId: config.enrichment.clientId.value ?? `file ${config.enrichment.clientId.file}`,
      clientSecret:
        config.enrichment.clientSecret.value === undefined
          ? `file ${config.enrichment.clientSecret.file}`
          : '[redacted]',
    },
  };
}

function withoutPassword(url: URL): string {
  const shown = new URL(url);
  if (shown.password) shown.password = 'redacted';
  return shown.href;
}
