// The sidecar's verified path with http-proxy as the forwarder, so that undici (the sidecar's forwarder)
// and http-proxy are compared on the same work in the same run (issue 5, item 4). The steps are the
// sidecar's own compiled modules, in the order of src/webhook/handler.ts: request line, bounded body,
// HMAC, strict JSON, the profile's rules, event age, dedupe claim, upstream headers; then the request is
// handed to http-proxy, which pipes the app's answer straight back; the claim is completed or released
// when that answer has been sent, and the request is logged (pino at LOG_LEVEL) and counted (prom-client)
// by the sidecar's own functions.
//
// Child entry: `node bench/verified-http-proxy.mjs <appPort>` with BENCH_BUILD_DIR (absolute) naming the
// compiled tree and GENESYS_WEBHOOK_SECRET, SIGNATURE_PROFILE and LOG_LEVEL set; reports {type: 'ready',
// port} over IPC and answers {type: 'stats'} with its outcome counts.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';

import httpProxy from 'http-proxy';

const appPort = Number(process.argv[2]);
const buildDir = process.env.BENCH_BUILD_DIR;
const load = (module) => import(pathToFileURL(path.join(buildDir, 'src', module)).href);

const { checkRequestLine, pathOf, tooLarge } = await load('webhook/check-request-line.js');
const { readBody } = await load('webhook/read-body.js');
const { verifySignature } = await load('signature/verify-signature.js');
const { parseJson, validatePayload } = await load('webhook/parse-payload.js');
const { checkEventAge } = await load('webhook/check-event-age.js');
const { fail, reject } = await load('webhook/outcome.js');
const { respond } = await load('webhook/respond.js');
const { resolveProfile } = await load('signature/profiles.js');
const { MemoryDedupeStore } = await load('dedupe/memory-dedupe-store.js');
const { buildUpstreamHeaders } = await load('upstream/request-headers.js');
const { createLogger } = await load('observability/logger.js');
const { createRequestLog } = await load('observability/request-log.js');
const { WebhookMetrics } = await load('observability/metrics.js');

// The sidecar's defaults (src/config.ts, src/sidecar.ts).
const WEBHOOK_PATHS = new Set(['/webhook/genesys']);
const MAX_BODY_BYTES = 1_048_576;
const UPSTREAM_TIMEOUT_MS = 8_000;
const CLAIM_TTL_MS = UPSTREAM_TIMEOUT_MS + 5_000;
const USABLE_REQUEST_ID = /^[\x21-\x7e]{1,200}$/;

const profile = resolveProfile(process.env.SIGNATURE_PROFILE ?? 'purecloud');
const keys = [Buffer.from(process.env.GENESYS_WEBHOOK_SECRET ?? '', 'utf8')];
const dedupe = new MemoryDedupeStore({ maxEntries: 100_000, ttlSeconds: 86_400 });
const logger = createLogger(process.env.LOG_LEVEL ?? 'info');
const logRequest = createRequestLog(logger);
const metrics = new WebhookMetrics({ keysLoaded: () => keys.length, dedupeEntries: () => dedupe.size() });
const counts = {};

const proxy = httpProxy.createProxyServer({
  target: `http://127.0.0.1:${appPort}`,
  agent: new http.Agent({ keepAlive: true }),
  proxyTimeout: UPSTREAM_TIMEOUT_MS,
});

/** Everything before forwarding, as handler.ts does it: an Outcome to answer with, or what to forward. */
async function verify(request) {
  const refused = checkRequestLine(request, WEBHOOK_PATHS, MAX_BODY_BYTES);
  if (refused) return { outcome: refused };
  const reading = await readBody(request, MAX_BODY_BYTES);
  if (reading.kind === 'aborted') return { outcome: { kind: 'abandoned' } };
  if (reading.kind === 'too_large') return { outcome: tooLarge(MAX_BODY_BYTES) };
  const rawBody = reading.body;

  const signature = request.headers[profile.header];
  if (typeof signature !== 'string' || signature === '') {
    return { outcome: reject('missing_signature', `The ${profile.header} header is missing.`) };
  }
  if (!verifySignature(rawBody, signature, profile.encoding, keys)) {
    return { outcome: reject('invalid_signature', `The ${profile.header} signature does not match the body.`) };
  }
  const json = parseJson(rawBody);
  if ('kind' in json) return { outcome: json };
  const valid = validatePayload(json.value, profile.schema);
  if ('kind' in valid) return { outcome: valid };
  const facts = profile.describe(valid.payload, rawBody);
  const event = { eventId: facts.eventId, eventType: facts.eventType };
  const stale = checkEventAge(facts.timestamp, 0, Date.now());
  if (stale) return { outcome: { ...stale, event } };

  const claim = await dedupe.claim(facts.dedupeKey, CLAIM_TTL_MS);
  if (claim === 'duplicate') return { outcome: { kind: 'duplicate', event } };
  if (claim === 'in_flight') {
    return {
      outcome: { ...fail('in_flight', 'This event is being delivered by another request; retry later.'), event },
    };
  }
  return { rawBody, facts, event };
}

const server = http.createServer((request, response) => {
  const started = performance.now();
  const given = request.headers['x-request-id'];
  const requestId = typeof given === 'string' && USABLE_REQUEST_ID.test(given) ? given : randomUUID();
  metrics.requestStarted();

  const finish = (outcome, status) => {
    const durationMs = performance.now() - started;
    metrics.requestEnded(outcome, durationMs / 1000);
    logRequest(outcome, { requestId, method: request.method, path: pathOf(request.url), status, durationMs });
    const key =
      outcome.kind === 'forwarded' ? `forwarded ${outcome.status}` : `${outcome.kind} ${outcome.reason ?? ''}`.trim();
    counts[key] = (counts[key] ?? 0) + 1;
  };

  verify(request).then(
    ({ outcome, rawBody, facts, event }) => {
      if (outcome) {
        finish(outcome, respond(response, outcome, requestId));
        return;
      }
      const upstreamStarted = performance.now();
      let status;
      const settle = (delivered) => (delivered ? dedupe.complete(facts.dedupeKey) : dedupe.release(facts.dedupeKey));
      request.headers = {
        ...buildUpstreamHeaders(request.headers, {
          eventId: facts.eventId,
          eventType: facts.eventType,
          requestId,
          remoteAddress: request.socket.remoteAddress,
        }),
        'content-length': String(rawBody.length),
      };
      response.setHeader('x-request-id', requestId);
      proxy.web(request, response, { buffer: Readable.from([rawBody]) }, (error) => {
        metrics.upstreamAnswered((performance.now() - upstreamStarted) / 1000);
        const timedOut = error?.code === 'ECONNRESET' && performance.now() - upstreamStarted >= UPSTREAM_TIMEOUT_MS;
        const outcome = timedOut
          ? { ...fail('upstream_timeout', 'The app did not answer in time.'), event }
          : { ...fail('upstream_unavailable', `The app could not be reached (${error?.code ?? error}).`), event };
        settle(false).then(() => {
          if (response.headersSent) {
            response.destroy();
            finish(outcome, undefined);
          } else {
            finish(outcome, respond(response, outcome, requestId));
          }
        });
      });
      response.once('finish', () => {
        if (status === undefined) return;
        settle(status >= 200 && status < 300).then(() =>
          finish({ kind: 'forwarded', event, status, headers: {}, body: Buffer.alloc(0) }, status),
        );
      });
      request.benchOnAnswer = (answer) => {
        metrics.upstreamAnswered((performance.now() - upstreamStarted) / 1000);
        status = answer.statusCode;
      };
    },
    (error) => {
      logger.error({ err: error, requestId }, 'unexpected error in the webhook pipeline');
      const outcome = fail('internal_error', 'The sidecar failed unexpectedly; retry later.');
      finish(outcome, respond(response, outcome, requestId));
    },
  );
});
// One listener for every request: http-proxy passes the request along with the app's answer.
proxy.on('proxyRes', (answer, request) => request.benchOnAnswer?.(answer));
server.keepAliveTimeout = 620_000;

server.listen(0, '127.0.0.1', () => process.send?.({ type: 'ready', port: server.address().port }));
process.on('message', async (message) => {
  if (message?.type === 'stats') process.send({ type: 'stats', counts, dedupeEntries: await dedupe.size() });
});
process.on('disconnect', () => process.exit(0));
