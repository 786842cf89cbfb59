#!/usr/bin/env node
// Quick loopback benchmark of the candidate forwarders for the buffered path.
//
// The sidecar reads the whole webhook body into a Buffer (it must, to verify
// the HMAC and parse the JSON) and only then forwards it to the app. So the
// question is not "which proxy streams best" but "which client is cheapest at
// sending a Buffer we already hold and handing back the app's answer".
//
// Variants (each forwarder runs in its own child process so its CPU time can
// be attributed to it alone):
//   direct         autocannon -> app (baseline: the cost of the app + loader)
//   node-http      node:http request + keep-alive Agent, response piped back
//   undici-request undici Pool.request, response body buffered, then written
//   undici-stream  undici Pool.stream, response body written straight to res
//   http-proxy     http-proxy web() with `buffer:` (the pre-read body) + Agent
//
// Usage (from the repo root):   node bench/forwarder-quick.mjs
// Knobs (env): BENCH_ROUNDS (3), BENCH_DURATION s (5), BENCH_WARMUP s (1),
//              BENCH_CONNECTIONS (50).
// The same file is re-executed as the child roles: `app`, `proxy <variant>`,
// `load`; children exit as soon as the IPC channel to the parent closes, so
// nothing is left running even if the parent is killed.

import http from 'node:http';
import os from 'node:os';
import { createHash } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { Readable, pipeline } from 'node:stream';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const HOST = '127.0.0.1';
const BODY_LIMIT = 64 * 1024;
// Same upstream timeout for every variant so each pays for its timer machinery.
const UPSTREAM_TIMEOUT_MS = 10_000;

const ROUNDS = intEnv('BENCH_ROUNDS', 3);
const DURATION_S = intEnv('BENCH_DURATION', 5);
const WARMUP_S = intEnv('BENCH_WARMUP', 1);
const CONNECTIONS = intEnv('BENCH_CONNECTIONS', 50);

const VARIANTS = ['direct', 'node-http', 'undici-request', 'undici-stream', 'http-proxy'];
const REFERENCE = 'node-http';

function intEnv(name, fallback) {
  const n = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

// ---------------------------------------------------------------------------
// Header handling shared by all forwarders, so that they all do the same work.

// RFC 9110 §7.6.1 connection-specific fields, plus legacy ones still seen.
const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate',
  'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade',
]);

// Returns a fresh object: mutating an IncomingMessage's headers in place would
// hide the app's `keep-alive: timeout=N` hint from node's Agent, which reads it
// when the socket is released.
function withoutHopByHop(headers) {
  const listed = new Set();
  const conn = headers.connection;
  if (conn) {
    for (const token of String(conn).split(',')) listed.add(token.trim().toLowerCase());
  }
  const out = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || listed.has(name)) continue;
    out[name] = value;
  }
  return out;
}

// The body is fully buffered, so content-length is authoritative and any
// incoming transfer-encoding has been consumed here (it is hop-by-hop anyway).
function upstreamHeaders(req, body) {
  const out = withoutHopByHop(req.headers);
  out['content-length'] = String(body.length);
  out['x-forwarded-for'] = req.socket.remoteAddress ?? '';
  out['x-forwarded-proto'] = 'http';
  out['x-webhook-verified'] = 'true'; // stands in for the headers the sidecar adds
  return out;
}

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// Bounded read: refuse early on a declared oversize length, and stop
// collecting (rather than buffer without limit) on an undeclared one.
function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      reject(new HttpError(413, 'body too large'));
      return;
    }
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(new HttpError(413, 'body too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

function sendError(res, status, message) {
  if (res.headersSent) {
    // Half a response is worse than none: make the sender see a broken reply.
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: message });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...(status === 413 ? { connection: 'close' } : {}),
  });
  res.end(body);
}

function upstreamErrorStatus(err) {
  const code = err?.code ?? '';
  return code.includes('TIMEOUT') || code === 'ETIMEDOUT' ? 504 : 502;
}

// ---------------------------------------------------------------------------
// Child role: the stand-in app.

function runApp() {
  const reply = Buffer.from(JSON.stringify({ ok: true, status: 'accepted' }));
  const server = http.createServer(async (req, res) => {
    let body;
    try {
      body = await readBody(req, BODY_LIMIT);
    } catch (err) {
      sendError(res, err.status ?? 400, err.message);
      return;
    }
    // Only the smoke check asks for an echo; the measured path stays cheap.
    if (req.headers['x-bench-echo']) {
      const echo = JSON.stringify({
        sha256: createHash('sha256').update(body).digest('hex'),
        headers: req.headers,
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(echo) });
      res.end(echo);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': reply.length });
    res.end(reply);
  });
  serveChild(server);
}

// ---------------------------------------------------------------------------
// Child role: a forwarder. Each factory returns (req, res, body) => void.

async function makeForwarder(variant, appPort) {
  const origin = `http://${HOST}:${appPort}`;

  if (variant === 'node-http') {
    // `timeout` on the Agent (not only per request) also lets it honour the
    // app's keep-alive hint; with timeout 0 node ignores that hint.
    const agent = new http.Agent({ keepAlive: true, timeout: UPSTREAM_TIMEOUT_MS });
    return (req, res, body) => {
      const upstream = http.request(
        { host: HOST, port: appPort, method: req.method, path: req.url, headers: upstreamHeaders(req, body), agent },
        (upRes) => {
          res.writeHead(upRes.statusCode, withoutHopByHop(upRes.headers));
          // pipeline, not pipe: an app dying mid-body must not leave res hanging.
          pipeline(upRes, res, (err) => { if (err) res.destroy(); });
        },
      );
      upstream.on('timeout', () => upstream.destroy(Object.assign(new Error('upstream timeout'), { code: 'ETIMEDOUT' })));
      upstream.on('error', (err) => sendError(res, upstreamErrorStatus(err), err.message));
      upstream.end(body);
    };
  }

  if (variant === 'undici-request' || variant === 'undici-stream') {
    const { Pool } = await import('undici');
    const pool = new Pool(origin, { headersTimeout: UPSTREAM_TIMEOUT_MS, bodyTimeout: UPSTREAM_TIMEOUT_MS });
    if (variant === 'undici-request') {
      return async (req, res, body) => {
        try {
          const up = await pool.request({ method: req.method, path: req.url, headers: upstreamHeaders(req, body), body });
          const payload = Buffer.from(await up.body.arrayBuffer());
          const headers = withoutHopByHop(up.headers);
          // 204/304 must not carry a length (RFC 9110 §8.6); the rest get an
          // exact one since we hold the whole body.
          if (up.statusCode !== 204 && up.statusCode !== 304) headers['content-length'] = String(payload.length);
          res.writeHead(up.statusCode, headers);
          res.end(payload);
        } catch (err) {
          sendError(res, upstreamErrorStatus(err), err.message);
        }
      };
    }
    return async (req, res, body) => {
      try {
        await pool.stream(
          { method: req.method, path: req.url, headers: upstreamHeaders(req, body), body },
          ({ statusCode, headers }) => {
            res.writeHead(statusCode, withoutHopByHop(headers));
            return res;
          },
        );
      } catch (err) {
        // After headers, undici has already destroyed res; sendError is a no-op then.
        sendError(res, upstreamErrorStatus(err), err.message);
      }
    };
  }

  if (variant === 'http-proxy') {
    const { default: httpProxy } = await import('http-proxy');
    // Without an explicit keep-alive agent http-proxy sends `connection: close`
    // upstream on every request, which would not be a fair comparison.
    const agent = new http.Agent({ keepAlive: true, timeout: UPSTREAM_TIMEOUT_MS });
    const proxy = httpProxy.createProxyServer({ target: origin, agent, proxyTimeout: UPSTREAM_TIMEOUT_MS });
    // With no 'error' listener http-proxy throws, taking the process down.
    proxy.on('error', (err, _req, res) => sendError(res, upstreamErrorStatus(err), err.message));
    return (req, res, body) => {
      // http-proxy copies req.headers verbatim (hop-by-hop included), so the
      // only way to shape the upstream headers is to replace them here.
      req.headers = upstreamHeaders(req, body);
      // It does not strip the app's hop-by-hop response headers either; doing so
      // in 'proxyRes' means mutating proxyRes.headers (see withoutHopByHop), so
      // this variant leaves them as http-proxy passes them.
      proxy.web(req, res, { buffer: Readable.from([body]) });
    };
  }

  throw new Error(`unknown variant ${variant}`);
}

async function runProxy(variant, appPort) {
  const forward = await makeForwarder(variant, appPort);
  const server = http.createServer(async (req, res) => {
    let body;
    try {
      body = await readBody(req, BODY_LIMIT);
    } catch (err) {
      sendError(res, err.status ?? 400, err.message);
      return;
    }
    forward(req, res, body);
  });
  serveChild(server);
}

// Common child plumbing: listen on an ephemeral port, report it, answer CPU
// queries, and die with the parent.
function serveChild(server) {
  server.listen(0, HOST, () => {
    process.send({ type: 'ready', port: server.address().port });
  });
  process.on('message', (msg) => {
    if (msg?.type === 'cpu') process.send({ type: 'cpu', id: msg.id, usage: process.cpuUsage() });
  });
  process.on('disconnect', () => process.exit(0));
}

// ---------------------------------------------------------------------------
// Child role: the load generator (kept out of the parent so it can be pinned).

async function runLoad() {
  const { default: autocannon } = await import('autocannon');
  process.on('message', (msg) => {
    if (msg?.type !== 'run') return;
    autocannon(
      {
        url: msg.url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: msg.body,
        connections: msg.connections,
        duration: msg.duration,
      },
      (err, result) => {
        if (err) {
          process.send({ type: 'result', id: msg.id, error: String(err) });
          return;
        }
        process.send({
          type: 'result',
          id: msg.id,
          rps: result.requests.average,
          total: result.requests.total,
          p50: result.latency.p50,
          p99: result.latency.p99,
          failures: result.errors + result.timeouts + result.non2xx,
        });
      },
    );
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ type: 'ready' });
}

// ---------------------------------------------------------------------------
// Parent: orchestration.

const children = new Set();

// Pinning only helps if we can give the servers and the loader distinct cores
// from the ones this process is actually allowed to use (containers often
// restrict the set).
function choosePinning() {
  const probe = spawnSync('taskset', ['-cp', String(process.pid)], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return { applied: false, reason: 'taskset not available' };
  const list = probe.stdout.split(':').pop().trim();
  const cores = [];
  for (const part of list.split(',')) {
    const [a, b] = part.split('-').map(Number);
    for (let c = a; c <= (Number.isFinite(b) ? b : a); c++) cores.push(c);
  }
  if (cores.length < 2) return { applied: false, reason: `only core(s) ${list} allowed` };
  return { applied: true, serverCore: cores[0], loadCore: cores[1] };
}

function startChild(args, core) {
  const [cmd, argv] = core === undefined
    ? [process.execPath, [SELF, ...args]]
    : ['taskset', ['-c', String(core), process.execPath, SELF, ...args]];
  const child = spawn(cmd, argv, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let nextId = 0;
  const ask = (msg, replyType) => new Promise((resolve, reject) => {
    const id = ++nextId;
    const onMessage = (reply) => {
      if (reply?.type !== replyType || reply.id !== id) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(reply);
    };
    const onExit = (code) => reject(new Error(`child ${args.join(' ')} exited (${code})`));
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send({ ...msg, id });
  });
  const ready = new Promise((resolve, reject) => {
    child.once('message', (m) => (m?.type === 'ready' ? resolve(m) : reject(new Error('bad hello'))));
    child.once('exit', (code) => reject(new Error(`child ${args.join(' ')} exited (${code}) before ready`)));
  });
  return { child, ready, ask };
}

function killChildren() {
  for (const child of children) child.kill('SIGKILL');
}

// ~1.2 KB, shaped like a Genesys Cloud notification.
function makePayload() {
  const event = {
    topicName: 'v2.detail.events.conversation.8f2b0c1e-5a7d-4c1f-9a3e-2d6b7c8e9f01.customer.start',
    version: '2',
    eventBody: {
      eventTime: '2024-05-01T12:34:56.789Z',
      conversationId: '8f2b0c1e-5a7d-4c1f-9a3e-2d6b7c8e9f01',
      participantId: 'c3d4e5f6-0718-4293-a4b5-c6d7e8f90a1b',
      sessionId: 'a1b2c3d4-e5f6-4708-9a0b-1c2d3e4f5a6b',
      mediaType: 'VOICE',
      direction: 'INBOUND',
      ani: 'tel:+15551234567',
      dnis: 'tel:+15557654321',
      queueId: 'f0e1d2c3-b4a5-4968-8776-655443322110',
      divisionId: '11223344-5566-4778-8990-aabbccddeeff',
      provider: 'Edge',
    },
    metadata: { CorrelationId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' },
  };
  const base = JSON.stringify(event);
  event.eventBody.notes = 'x'.repeat(Math.max(0, 1200 - base.length - 12));
  return JSON.stringify(event);
}

// One request through each forwarder before measuring, so a broken variant
// cannot produce a fast-but-wrong number. Uses node:http directly because
// fetch refuses to send the hop-by-hop headers we want to see dropped.
function smokeCheck(port, payload, viaForwarder) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: HOST, port, method: 'POST', path: '/webhook?probe=1', agent: false,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
        'x-bench-echo': '1',
        connection: 'keep-alive, x-hop-test',
        'x-hop-test': 'must-not-reach-app',
      },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        try {
          const echo = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          const want = createHash('sha256').update(payload).digest('hex');
          const problems = [];
          if (res.statusCode !== 200) problems.push(`status ${res.statusCode}`);
          if (echo.sha256 !== want) problems.push('body bytes differ');
          if (viaForwarder && echo.headers['x-hop-test']) problems.push('Connection-listed header forwarded');
          resolve({ problems, appHeaders: echo.headers });
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const cpuMs = (a, b) => (b.user + b.system - a.user - a.system) / 1000;

async function main() {
  const started = Date.now();
  const perRunS = WARMUP_S + DURATION_S;
  const plannedS = ROUNDS * VARIANTS.length * perRunS;
  // Hard stop in case a child wedges: planned time plus generous slack.
  const watchdog = setTimeout(() => {
    console.error('watchdog: benchmark overran, killing children');
    killChildren();
    process.exit(2);
  }, (plannedS + 60) * 1000);
  watchdog.unref();
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { killChildren(); process.exit(130); });
  process.on('exit', killChildren);

  const pin = choosePinning();
  const payload = makePayload();
  console.log(`node ${process.version}, ${os.cpus().length} CPU(s) (${os.cpus()[0]?.model ?? '?'})`);
  console.log(pin.applied
    ? `pinning: applied (app + forwarders on core ${pin.serverCore}, load generator on core ${pin.loadCore})`
    : `pinning: NOT applied (${pin.reason})`);
  console.log(`body ${Buffer.byteLength(payload)} B, ${CONNECTIONS} connections, ` +
    `${ROUNDS} rounds x ${VARIANTS.length} variants x (${WARMUP_S}s warm-up + ${DURATION_S}s), ~${plannedS}s planned`);

  const app = startChild(['app'], pin.serverCore);
  const appPort = (await app.ready).port;
  const targets = { direct: { port: appPort, cpuOf: null } };
  for (const variant of VARIANTS.filter((v) => v !== 'direct')) {
    const proxy = startChild(['proxy', variant, String(appPort)], pin.serverCore);
    targets[variant] = { port: (await proxy.ready).port, cpuOf: proxy };
  }
  const load = startChild(['load'], pin.loadCore);
  await load.ready;

  for (const variant of VARIANTS) {
    const { problems, appHeaders } = await smokeCheck(targets[variant].port, payload, variant !== 'direct');
    if (problems.length) throw new Error(`smoke check failed for ${variant}: ${problems.join(', ')}`);
    const fwd = variant === 'direct' ? '' : appHeaders['x-forwarded-for'] ? ' (x-forwarded-for set)' : ' (no x-forwarded-for!)';
    console.log(`smoke check ok: ${variant}${fwd}`);
  }

  const runLoadOnce = async (port, duration) => {
    const r = await load.ask({
      type: 'run', url: `http://${HOST}:${port}/webhook?source=genesys`,
      body: payload, connections: CONNECTIONS, duration,
    }, 'result');
    if (r.error) throw new Error(`autocannon: ${r.error}`);
    return r;
  };
  const cpuOf = async (handle) => (await handle.ask({ type: 'cpu' }, 'cpu')).usage;

  const samples = Object.fromEntries(VARIANTS.map((v) => [v, []]));
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order each round so no variant always runs first or last.
    const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]);
    for (const variant of order) {
      const t = targets[variant];
      await runLoadOnce(t.port, WARMUP_S);
      const [p0, a0] = await Promise.all([t.cpuOf ? cpuOf(t.cpuOf) : null, cpuOf(app)]);
      const r = await runLoadOnce(t.port, DURATION_S);
      const [p1, a1] = await Promise.all([t.cpuOf ? cpuOf(t.cpuOf) : null, cpuOf(app)]);
      const sample = {
        ...r,
        proxyCpu: p0 ? cpuMs(p0, p1) / r.total : NaN,
        appCpu: cpuMs(a0, a1) / r.total,
      };
      samples[variant].push(sample);
      console.log(`round ${round + 1} ${variant.padEnd(14)} ${sample.rps.toFixed(0).padStart(6)} req/s  ` +
        `p50 ${sample.p50} ms  p99 ${sample.p99} ms  failures ${sample.failures}`);
    }
  }

  printTable(samples);
  console.log(`total ${((Date.now() - started) / 1000).toFixed(0)}s; ` +
    'latency has 1 ms resolution (autocannon); CPU ms/req covers the measured window only.');
  killChildren();
  process.exit(0);
}

function printTable(samples) {
  const refRps = median(samples[REFERENCE].map((s) => s.rps));
  const fmt = (x, digits) => (Number.isFinite(x) ? x.toFixed(digits) : '-');
  const rows = VARIANTS.map((variant) => {
    const s = samples[variant];
    const rps = median(s.map((x) => x.rps));
    return [
      variant,
      fmt(rps, 0),
      s.map((x) => x.rps.toFixed(0)).join(' / '),
      fmt(median(s.map((x) => x.p50)), 1),
      fmt(median(s.map((x) => x.p99)), 1),
      fmt(median(s.map((x) => x.proxyCpu)), 4),
      fmt(median(s.map((x) => x.appCpu)), 4),
      fmt(rps / refRps, 2),
      String(s.reduce((n, x) => n + x.failures, 0)),
    ];
  });
  const header = ['variant', 'req/s (median)', 'req/s per round', 'p50 ms', 'p99 ms',
    'proxy CPU ms/req', 'app CPU ms/req', `vs ${REFERENCE}`, 'failures'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => (i === 0 || i === 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log('');
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
  console.log('');
}

// ---------------------------------------------------------------------------

const [role, ...rest] = process.argv.slice(2);
if (role === 'app') runApp();
else if (role === 'proxy') await runProxy(rest[0], Number(rest[1]));
else if (role === 'load') await runLoad();
else {
  try {
    await main();
  } catch (err) {
    console.error(err);
    killChildren();
    process.exit(1);
  }
}
