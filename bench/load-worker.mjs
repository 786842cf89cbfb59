// The load generator, a child process of its own so that it can be pinned away from the servers. The
// parent sends one command at a time over IPC and gets one result back:
//   {type: 'throughput', url, profile, bytes, connections, durationS}  autocannon, closed loop, for max req/s
//   {type: 'prefill',    url, profile, bytes, connections, amount}     autocannon, `amount` requests, fast
//   {type: 'paced',      url, profile, bytes, rate, durationS, sockets} open loop at a fixed rate, latency
// Every request is a new event with a valid signature (events.mjs). Each result counts the answers by
// status and whether their body was the stand-in app's, so that a duplicate answered by the sidecar
// itself (also a 200) is caught.
//
// Why the fixed-rate phase is not autocannon's `overallRate`: autocannon lets each connection send its
// whole share of a second back to back and then waits for the next second, so "1,000 requests/s" arrives
// as a burst in the first ~100 ms of every second and the latency measured is queueing in that burst. The
// pacer below sends one request every 1/rate s (within the ~1 ms timer granularity) on a keep-alive pool,
// and times each from the moment it is written to the end of its answer, with sub-millisecond precision.
import http from 'node:http';

import autocannon from 'autocannon';

import { eventSource } from './events.mjs';

const APP_ANSWER = '{"status":"received"}';
const secret = process.env.BENCH_SECRET;
const sources = new Map();

function sourceFor(profile, bytes) {
  const key = `${profile}/${bytes}`;
  if (!sources.has(key)) sources.set(key, eventSource({ profile, bytes, secret }));
  return sources.get(key);
}

function signedRequest(source, tally) {
  return {
    method: 'POST',
    setupRequest(request) {
      const event = source.next();
      request.body = event.body;
      request.headers = { ...request.headers, ...event.headers };
      return request;
    },
    onResponse(status, body) {
      if (body !== APP_ANSWER) tally.mismatches++;
    },
  };
}

function statusCounts(statusCodeStats) {
  return Object.fromEntries(Object.entries(statusCodeStats).map(([code, { count }]) => [code, count]));
}

async function closedLoop({ url, profile, bytes, connections, durationS, amount }) {
  const source = sourceFor(profile, bytes);
  const tally = { mismatches: 0 };
  const started = performance.now();
  const result = await autocannon({
    url,
    connections,
    // With `amount`, autocannon notices the end at its next sample tick: make that soon.
    ...(amount ? { amount, sampleInt: 50 } : { duration: durationS }),
    requests: [signedRequest(source, tally)],
    timeout: 10,
  });
  const elapsedS = (performance.now() - started) / 1000;
  return {
    elapsedS,
    answers: result.requests.total,
    rps: amount ? result.requests.total / elapsedS : result.requests.average,
    statuses: statusCounts(result.statusCodeStats),
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: tally.mismatches,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, mean: result.latency.mean },
  };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

function paced({ url, profile, bytes, rate, durationS, sockets }) {
  const source = sourceFor(profile, bytes);
  const { hostname, port, pathname, search } = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets, scheduling: 'lifo' });
  const total = Math.round(rate * durationS);
  const intervalMs = 1000 / rate;
  const latencies = new Float64Array(total);
  const statuses = {};
  let answered = 0;
  let errors = 0;
  let mismatches = 0;
  let sent = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let maxLagMs = 0;

  return new Promise((resolve) => {
    const start = performance.now();
    const done = () => {
      agent.destroy();
      const sorted = latencies.subarray(0, answered).sort();
      const sum = sorted.reduce((a, b) => a + b, 0);
      resolve({
        elapsedS: (performance.now() - start) / 1000,
        answers: answered,
        rps: answered / durationS,
        statuses,
        errors,
        timeouts: 0,
        mismatches,
        maxInFlight,
        maxLagMs,
        latencyMs: {
          p50: percentile(sorted, 0.5),
          p90: percentile(sorted, 0.9),
          p99: percentile(sorted, 0.99),
          p999: percentile(sorted, 0.999),
          max: sorted[sorted.length - 1],
          mean: sum / sorted.length,
        },
      });
    };
    const settle = () => {
      inFlight--;
      if (sent === total && inFlight === 0) done();
    };
    const send = () => {
      const event = source.next();
      inFlight++;
      if (inFlight > maxInFlight) maxInFlight = inFlight;
      const t0 = performance.now();
      const request = http.request(
        {
          agent,
          hostname,
          port,
          path: pathname + search,
          method: 'POST',
          headers: { ...event.headers, 'content-length': event.body.length },
        },
        (answer) => {
          let body = '';
          answer.setEncoding('utf8');
          answer.on('data', (chunk) => {
            body += chunk;
          });
          answer.on('end', () => {
            latencies[answered++] = performance.now() - t0;
            statuses[answer.statusCode] = (statuses[answer.statusCode] ?? 0) + 1;
            if (body !== APP_ANSWER) mismatches++;
            settle();
          });
        },
      );
      request.on('error', () => {
        errors++;
        settle();
      });
      request.end(event.body);
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * intervalMs <= now) {
        maxLagMs = Math.max(maxLagMs, now - (start + sent * intervalMs));
        sent++;
        send();
      }
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * intervalMs - performance.now()));
    };
    tick();
  });
}

process.on('message', async (command) => {
  try {
    let result;
    if (command.type === 'paced') result = await paced(command);
    else if (command.type === 'throughput' || command.type === 'prefill') result = await closedLoop(command);
    else throw new Error(`unknown command ${command.type}`);
    process.send({ type: 'result', id: command.id, result });
  } catch (error) {
    process.send({ type: 'result', id: command.id, error: String(error?.stack ?? error) });
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready' });
