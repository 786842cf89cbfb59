import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';

import type { Logger } from '../observability/logger.js';
import type { WebhookMetrics } from '../observability/metrics.js';
import { createRequestLog } from '../observability/request-log.js';
import { pathOf } from './check-request-line.js';
import type { WebhookHandler } from './handler.js';
import { fail, type Outcome } from './outcome.js';
import { respond } from './respond.js';

// Genesys Cloud waits 10 s for a whole answer, so a sender still sending headers after 10 s is not a
// sender we can help; Node only checks every `connectionsCheckingInterval`, so check every second.
const HEADERS_TIMEOUT_MS = 10_000;
const CONNECTIONS_CHECKING_INTERVAL_MS = 1_000;
// Headers and body together; generous for 1 MiB at slow mobile speeds, still well bounded.
const REQUEST_TIMEOUT_MS = 30_000;
// Longer than the idle timeouts of common load balancers (AWS ALB 60 s, Azure 240 s, Google Cloud 600 s),
// so that the balancer, not us, closes an idle connection and never reuses one we just closed.
const KEEP_ALIVE_TIMEOUT_MS = 620_000;
// A sender's request id is kept only when it is short and plain; otherwise we make one.
const USABLE_REQUEST_ID = /^[\x21-\x7e]{1,200}$/;

function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && USABLE_REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Node would answer a sender that ran out of time with 408, a final 4xx to Genesys; by then Genesys has
 * stopped waiting anyway, so the connection is just closed. Unparseable requests still get a plain 400.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT' || !socket.writable) socket.destroy();
  else socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
}

export interface WebhookServer {
  server: Server;
  /** From now on every answer asks the client to close its connection, so it reconnects elsewhere. */
  startDraining(): void;
  /** Resolves once no request is being handled (forwards whose sender left included). */
  settled(): Promise<void>;
}

/** The thin HTTP shell: runs the handler, answers, then logs and counts the Outcome. */
export function createWebhookServer(handle: WebhookHandler, logger: Logger, metrics: WebhookMetrics): WebhookServer {
  const server = createServer({
    headersTimeout: HEADERS_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL_MS,
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.on('clientError', answerClientError);
  const logRequest = createRequestLog(logger);
  let draining = false;
  const inFlight = new Set<Promise<void>>();

  server.on('request', (request, response) => {
    const started = performance.now();
    const requestId = requestIdOf(request);
    metrics.requestStarted();

    const handled = handle(request, requestId)
      .catch((error: unknown): Outcome => {
        logger.error({ err: error, requestId }, 'unexpected error in the webhook pipeline');
        return fail('internal_error', 'The sidecar failed unexpectedly; retry later.');
      })
      .then((outcome) => {
        let status: number | undefined;
        try {
          // Refused before the whole body arrived: close rather than read the rest of it.
          if (draining || (!request.complete && outcome.kind !== 'abandoned'))
            response.setHeader('connection', 'close');
          status = respond(response, outcome, requestId);
        } catch (error) {
          logger.error({ err: error, requestId }, 'could not answer the sender');
          response.destroy();
        } finally {
          const durationMs = performance.now() - started;
          metrics.requestEnded(outcome, durationMs / 1000);
          logRequest(outcome, {
            requestId,
            method: request.method,
            path: pathOf(request.url),
            status,
            durationMs,
          });
        }
      })
      .finally(() => inFlight.delete(handled));
    inFlight.add(handled);
  });

  return {
    server,
    startDraining() {
      draining = true;
      server.closeIdleConnections();
    },
    async settled() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
