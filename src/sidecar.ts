import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Config } from './config.js';
import { GenesysClient } from './genesys/genesys-client.js';
import { MemoryDedupeStore } from './dedupe/memory-dedupe-store.js';
import { createAdminServer } from './observability/admin-server.js';
import type { Logger } from './observability/logger.js';
import { WebhookMetrics } from './observability/metrics.js';
import { Keyring } from './secrets/keyring.js';
import { SecretManager } from './secrets/secret-manager.js';
import { createSecretSource, inlineKeyOf } from './secrets/secret-source-from-config.js';
import { resolveProfile } from './signature/profiles.js';
import { Forwarder } from './upstream/forwarder.js';
import { createEnrichStep } from './webhook/enrich-event.js';
import { createWebhookHandler } from './webhook/handler.js';
import { createWebhookServer } from './webhook/server.js';

export interface RunningSidecar {
  webhookPort: number;
  adminPort: number;
  keyring: Keyring;
  metrics: WebhookMetrics;
  /** `/readyz` turns 503 and answers ask clients to reconnect; the webhook port keeps serving. */
  startDraining(): void;
  /**
   * Stops accepting connections, lets requests in flight finish for up to `timeoutMs` (then cuts their
   * connections; forwards already on their way still complete), and releases everything.
   */
  close(timeoutMs: number): Promise<void>;
}

/** Builds every part from the Config and starts both servers. */
export async function startSidecar(config: Config, logger: Logger): Promise<RunningSidecar> {
  const keyring = new Keyring();
  const dedupe = new MemoryDedupeStore({ maxEntries: config.dedupeMaxEntries, ttlSeconds: config.dedupeTtlSeconds });
  const metrics = new WebhookMetrics({ keysLoaded: () => keyring.size, dedupeEntries: () => dedupe.size() });
  const secrets = new SecretManager({
    keyring,
    source: await createSecretSource(config, logger),
    inlineKey: inlineKeyOf(config.inlineSecret),
    graceMs: config.secretGraceSeconds * 1000,
    logger,
    onReload: (result) => metrics.recordSecretReload(result),
  });
  await secrets.start();

  const forwarder = new Forwarder(config.upstreamUrl, config.upstreamTimeoutMs, (seconds) =>
    metrics.upstreamAnswered(seconds),
  );
  const genesys = config.enrichment && new GenesysClient({ ...config.enrichment, registry: metrics.registry, logger });
  const handler = createWebhookHandler({
    webhookPaths: config.webhookPaths,
    maxBodyBytes: config.maxBodyBytes,
    maxEventAgeSeconds: config.maxEventAgeSeconds,
    profile: resolveProfile(config.profile, { header: config.signatureHeader, encoding: config.signatureEncoding }),
    keyring,
    dedupe,
    upstreamTimeoutMs: config.upstreamTimeoutMs,
    forward: (request, timeoutMs) => forwarder.forward(request, timeoutMs),
    enrich: genesys && createEnrichStep(config.enrichment!, config.profile, genesys),
    enrichFailure: config.enrichment?.failureMode ?? 'forward',
  });

  let draining = false;
  const webhook = createWebhookServer(handler, logger, metrics);
  const adminServer = createAdminServer(
    metrics,
    {
      notReadyReason() {
        if (draining) return 'shutting down';
        return keyring.size === 0 ? 'no webhook secret loaded' : undefined;
      },
    },
    logger,
  );
  const webhookPort = await listen(webhook.server, config.listenPort, config.listenHost);
  const adminPort = await listen(adminServer, config.adminPort, config.listenHost);
  logger.info({ webhookPort, adminPort }, 'listening');

  return {
    webhookPort,
    adminPort,
    keyring,
    metrics,
    startDraining() {
      draining = true;
      webhook.startDraining();
    },
    async close(timeoutMs) {
      draining = true;
      webhook.startDraining();
      const closed = closeServer(webhook.server);
      const cut = setTimeout(() => webhook.server.closeAllConnections(), timeoutMs);
      // Keep-alive connections go idle between requests; close each as soon as it does.
      const sweep = setInterval(() => webhook.server.closeIdleConnections(), 100);
      await closed;
      clearInterval(sweep);
      clearTimeout(cut);
      await webhook.settled();
      adminServer.closeAllConnections();
      await closeServer(adminServer);
      await Promise.all([forwarder.close(), dedupe.close(), secrets.stop(), genesys?.close()]);
    },
  };
}

async function listen(server: Server, port: number, host: string): Promise<number> {
  server.listen(port, host);
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
