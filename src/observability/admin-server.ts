import { createServer, type Server } from 'node:http';

import { sendJson } from '../http/send-json.js';
import type { Logger } from './logger.js';
import type { WebhookMetrics } from './metrics.js';

export interface Readiness {
  /** Undefined when ready; otherwise why not, for the /readyz body. */
  notReadyReason(): string | undefined;
}

/** `/livez`, `/readyz` and `/metrics`, on a port of their own so the webhook port never exposes them. */
export function createAdminServer(metrics: WebhookMetrics, readiness: Readiness, logger: Logger): Server {
  return createServer((request, response) => {
    const path = request.url?.split('?', 1)[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendJson(response, 405, { error: 'method_not_allowed' }, { allow: 'GET, HEAD' });
      return;
    }
    if (path === '/livez') {
      sendJson(response, 200, { status: 'ok' });
    } else if (path === '/readyz') {
      const reason = readiness.notReadyReason();
      sendJson(
        response,
        reason === undefined ? 200 : 503,
        reason === undefined ? { status: 'ready' } : { status: 'not_ready', reason },
      );
    } else if (path === '/metrics') {
      metrics.registry
        .metrics()
        .then((text) => {
          response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text);
        })
        .catch((error: unknown) => {
          logger.error({ err: error }, 'could not collect metrics');
          sendJson(response, 500, { error: 'metrics_unavailable' });
        });
    } else {
      sendJson(response, 404, { error: 'not_found' });
    }
  });
}
