#!/usr/bin/env node
// npm run bench        measure the sidecar against bare baselines on loopback, print the tables and write
//                      docs/benchmarks.md (about 13 minutes on 2 cores with the defaults)
// npm run bench:smoke  the same code paths with a few hundred requests; checks only that every answer was
//                      the expected one; exit 0 or 1; writes only to a temporary directory
// Knobs: environment variables listed in settings.mjs (BENCH_*). See docs/benchmarks.md for the method.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { probeVariant } from './probes.mjs';
import { cpuSeconds, peakRssBytes, resetPeakRss } from './proc-stats.mjs';
import { choosePinning, killChildrenOnExit, messageOf, signalTree, startProcess, stopProcess } from './processes.mjs';
import { badAnswers, judgeTargets, rateTable, summarize, targetsTable, throughputTable, kib } from './report.mjs';
import { loadSettings } from './settings.mjs';
import { findNginx, startApp, startVariant, variantsFor } from './variants.mjs';
import { gitDescribe, writeResults } from './write-results.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const settings = loadSettings(process.argv.includes('--smoke') ? 'smoke' : 'full');
const log = (line = '') => console.log(line);

/** One command to the load generator, one result back. */
function loadClient(child) {
  let nextId = 0;
  return async (command) => {
    const id = ++nextId;
    const reply = new Promise((resolve, reject) => {
      const onMessage = (message) => {
        if (message?.type === 'result' && message.id === id) {
          child.off('message', onMessage);
          child.off('exit', onExit);
          if (message.error) reject(new Error(`load generator: ${message.error}`));
          else resolve(message.result);
        }
      };
      const onExit = (code) => reject(new Error(`load generator exited (${code})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
    child.send({ ...command, id });
    return reply;
  };
}

function plannedSeconds(variants) {
  const s = settings;
  const perSample = (s.warmupS > 0 ? 2 * s.warmupS : 0) + (s.throughputS ?? 1) + s.rateS + 0.5;
  const measured = s.bodies.reduce((sum, body, i) => {
    const count = variants.filter((v) => !v.remembered || i === 0).length;
    return sum + body.rounds * count * perSample;
  }, 0);
  const prefills = variants.filter((v) => v.remembered).length * (s.prefill / 2000);
  return measured + prefills + variants.length * s.initialWarmupS + 30;
}

/** One measured window: the load generator's result plus the CPU and memory the processes used in it. */
async function measure(ask, { target, app, loader }, command, { rss }) {
  if (rss && target.pid) resetPeakRss(target.pid);
  const read = () => ({
    proxy: target.pid ? cpuSeconds(target.pid) : NaN,
    app: cpuSeconds(app.pid),
    loader: cpuSeconds(loader.pid),
    wall: performance.now() / 1000,
  });
  const before = read();
  const result = await ask(command);
  const after = read();
  return {
    ...result,
    proxyCpuMsPerReq: ((after.proxy - before.proxy) * 1000) / result.answers,
    appCpuMsPerReq: ((after.app - before.app) * 1000) / result.answers,
    loaderBusy: (after.loader - before.loader) / (after.wall - before.wall),
    peakRssBytes: rss && target.pid ? peakRssBytes(target.pid) : NaN,
  };
}

async function main() {
  const startedAt = new Date();
  const commit = gitDescribe();
  const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'genesys-bench-'));
  killChildrenOnExit(() => {
    if (!settings.keepTmp) rmSync(tmpDir, { recursive: true, force: true });
  });
  const pin = choosePinning();
  const secret = randomBytes(24).toString('base64url');
  const nginx = findNginx();

  let variants = variantsFor(settings.prefill).filter((v) => v.key !== 'nginx' || nginx);
  if (settings.variants)
    variants = variants.filter(
      (v) => v.key === 'direct' || v.key === 'passthrough' || settings.variants.includes(v.key),
    );
  if (!(settings.prefill > 0)) variants = variants.filter((v) => !v.remembered);

  log(`bench (${settings.mode}): node ${process.version}, ${os.cpus().length} CPU(s), ${os.cpus()[0]?.model ?? '?'}`);
  log(
    pin.applied
      ? `pinning: app and proxies on core ${pin.serverCore}, load generator (and this process) on core ${pin.loadCore} (taskset)`
      : `pinning: NOT applied (${pin.reason}); figures include contention between load generator and proxies`,
  );
  log(
    nginx
      ? `nginx: ${nginx.version} (${nginx.binary})`
      : 'nginx: not installed, its row is skipped (apt-get install nginx to include it)',
  );
  log(`build: ${settings.buildDir}`);
  if (Object.keys(settings.sidecarEnv).length > 0)
    log(`sidecar settings from BENCH_SIDECAR_ENV: ${JSON.stringify(settings.sidecarEnv)}`);
  const planned = plannedSeconds(variants);
  if (settings.mode === 'full') log(`planned: about ${Math.round(planned / 60)} min; run directory ${tmpDir}`);

  const watchdog = setTimeout(
    () => {
      console.error(`bench: watchdog: still running after ${Math.round((planned * 1.5 + 60) / 60)} min, stopping`);
      process.exit(1);
    },
    (planned * 1.5 + 60) * 1000,
  );
  watchdog.unref();

  const core = pin.applied ? pin.serverCore : undefined;
  const app = await startApp({ core });
  const targets = {};
  for (const variant of variants) {
    targets[variant.key] = await startVariant(variant, { app, core, secret, settings, tmpDir, nginx });
  }
  const loader = startProcess('load generator', process.execPath, [path.join(HERE, 'load-worker.mjs')], {
    core: pin.applied ? pin.loadCore : undefined,
    env: { ...process.env, BENCH_SECRET: secret },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await messageOf(loader, 'ready');
  const ask = loadClient(loader);
  const url = (key) => `http://127.0.0.1:${targets[key].port}${settings.path}`;

  // Only the variant being measured may run on the servers' core: the others are stopped (SIGSTOP), so that
  // their timers and garbage collection (a sidecar holding 100k events runs long ones after a burst of
  // load) cannot land inside another variant's window. The app always runs.
  const proxies = Object.entries(targets).filter(([, t]) => t.pid);
  // A closed-loop run ends with requests still in flight (autocannon drops its connections); the variant
  // finishes them within milliseconds, and must not be stopped before, or their forwards would time out.
  let running;
  const focus = async (key) => {
    if (key === running) return;
    if (running !== undefined) await sleep(settings.settleMs);
    for (const [k, t] of proxies) if (k === key) signalTree(t.pid, 'SIGCONT');
    for (const [k, t] of proxies) if (k !== key) signalTree(t.pid, 'SIGSTOP');
    running = key;
  };
  const resumeAll = async () => {
    await sleep(settings.settleMs);
    for (const [, t] of proxies) signalTree(t.pid, 'SIGCONT');
    running = undefined;
  };

  // Every variant answers a signed event with the app's answer; the verifying ones also refuse a bad
  // signature and answer a retry themselves. Counters are read afterwards, so later checks see only the run.
  const countsAfterProbes = {};
  for (const variant of variants) {
    const checks = await probeVariant(variant, url(variant.key), secret);
    log(`probe ok: ${variant.label}: ${checks.join(', ')}`);
    if (targets[variant.key].counts) countsAfterProbes[variant.key] = await targets[variant.key].counts();
  }

  const failures = [];
  const noteBad = (what, sample, expected) => {
    if (expected !== undefined && sample.answers !== expected)
      failures.push(`${what}: ${sample.answers} answers, expected ${expected}`);
    const bad = badAnswers(sample);
    if (bad > 0)
      failures.push(
        `${what}: ${bad} unexpected answer(s) ${JSON.stringify({ statuses: sample.statuses, errors: sample.errors, timeouts: sample.timeouts, mismatches: sample.mismatches })}`,
      );
  };

  const prefill = {};
  for (const variant of variants.filter((v) => v.remembered)) {
    const body = settings.bodies[0].bytes;
    await focus(variant.key);
    const result = await ask({
      type: 'prefill',
      url: url(variant.key),
      profile: variant.profile,
      bytes: body,
      connections: settings.connections,
      amount: settings.prefill,
    });
    noteBad(`prefill ${variant.label}`, result, settings.prefill);
    await resumeAll();
    const { dedupeEntries } = await targets[variant.key].counts();
    prefill[variant.key] = { ...result, dedupeEntries };
    log(
      `prefill: ${variant.label}: ${result.answers} events in ${result.elapsedS.toFixed(1)} s (${Math.round(result.answers / result.elapsedS)} req/s); ${dedupeEntries} remembered`,
    );
  }

  // JIT and heap warm-up for the processes that had no prefill, so that round 1 compares like with like.
  if (settings.initialWarmupS > 0) {
    for (const variant of variants.filter((v) => !v.remembered)) {
      const base = {
        url: url(variant.key),
        profile: variant.profile,
        bytes: settings.bodies[0].bytes,
        connections: settings.connections,
      };
      await focus(variant.key);
      noteBad(
        `warm-up ${variant.label}`,
        await ask({ ...base, type: 'throughput', durationS: settings.initialWarmupS }),
      );
    }
    log(
      `warm-up: ${settings.initialWarmupS} s at ${settings.connections} connections for each variant without a prefill`,
    );
  }

  const sizes = [];
  for (const [sizeIndex, body] of settings.bodies.entries()) {
    const inSize = variants.filter((v) => !v.remembered || sizeIndex === 0);
    const size = { bytes: body.bytes, rounds: body.rounds, throughput: {}, paced: {} };
    for (const v of inSize) {
      size.throughput[v.key] = [];
      size.paced[v.key] = [];
    }
    log(`\n${kib(body.bytes)} bodies: ${body.rounds} round(s) × ${inSize.length} variants`);
    for (let round = 0; round < body.rounds; round++) {
      // Rotate the order each round so that no variant always runs first or last.
      const order = inSize.map((_, i) => inSize[(i + round) % inSize.length]);
      for (const v of order) {
        const base = { url: url(v.key), profile: v.profile, bytes: body.bytes, connections: settings.connections };
        await focus(v.key);
        if (settings.warmupS > 0) await ask({ ...base, type: 'throughput', durationS: settings.warmupS });
        const command = settings.throughputAmount
          ? { ...base, type: 'throughput', amount: settings.throughputAmount }
          : { ...base, type: 'throughput', durationS: settings.throughputS };
        const sample = await measure(ask, { target: targets[v.key], app, loader }, command, { rss: false });
        noteBad(`${kib(body.bytes)} throughput ${v.label}`, sample, settings.throughputAmount);
        size.throughput[v.key][round] = sample;
        log(
          `  round ${round + 1} throughput ${v.label.padEnd(42)} ${sample.rps.toFixed(0).padStart(6)} req/s  CPU ${sample.proxyCpuMsPerReq.toFixed(3)} ms/req`,
        );
      }
      for (const v of order) {
        const base = {
          url: url(v.key),
          profile: v.profile,
          bytes: body.bytes,
          rate: settings.rate,
          sockets: 64,
          type: 'paced',
        };
        await focus(v.key);
        if (settings.warmupS > 0) await ask({ ...base, durationS: settings.warmupS });
        const sample = await measure(
          ask,
          { target: targets[v.key], app, loader },
          { ...base, durationS: settings.rateS },
          { rss: true },
        );
        noteBad(`${kib(body.bytes)} fixed rate ${v.label}`, sample, Math.round(settings.rate * settings.rateS));
        size.paced[v.key][round] = sample;
        const l = sample.latencyMs;
        log(
          `  round ${round + 1} ${settings.rate} req/s  ${v.label.padEnd(42)} p50 ${l.p50.toFixed(3)}  p99 ${l.p99.toFixed(2)}  p99.9 ${l.p999.toFixed(2)} ms  CPU ${sample.proxyCpuMsPerReq.toFixed(3)} ms/req`,
        );
      }
    }
    sizes.push(size);
  }

  await resumeAll();
  // Every request of the run reached the app exactly once: no duplicates or refusals past the probes'.
  const counts = {};
  for (const variant of variants) {
    if (!targets[variant.key].counts) continue;
    const now = await targets[variant.key].counts();
    const then = countsAfterProbes[variant.key];
    counts[variant.key] = now;
    const duplicates = now.duplicates - then.duplicates;
    const refused = now.refused - then.refused;
    if (duplicates !== 0 || refused !== 0)
      failures.push(`${variant.label}: ${duplicates} duplicate(s), ${refused} refusal(s) during the run`);
  }

  const summaries = sizes.map((size) => summarize(variants, size));
  const targetRows = judgeTargets(summaries[0], settings);
  for (const summary of summaries) {
    log(
      `\n## ${kib(summary.bytes)} bodies, ${summary.rounds} round(s): max throughput at ${settings.connections} connections\n`,
    );
    log(throughputTable(summary));
    log(`\n## ${kib(summary.bytes)} bodies: at a fixed ${settings.rate} requests/s\n`);
    log(rateTable(summary));
  }
  if (settings.mode === 'full') {
    log(`\n## Targets (${kib(summaries[0].bytes)} bodies)\n`);
    log(targetsTable(targetRows));
  } else {
    log('\n(smoke: a handful of requests per row; these figures measure nothing)');
  }
  log('');

  // SIGTERM: the sidecars then exit by themselves (so that --cpu-prof writes its profile), nginx reaps its worker.
  await Promise.all(
    Object.values(targets)
      .filter((t) => t.child)
      .map((t) => stopProcess(t.child)),
  );
  if (settings.cpuProfDir) log(`CPU profiles: ${settings.cpuProfDir}`);

  if (failures.length > 0) {
    console.error(`bench: FAILED, the figures are not valid:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
    return 1;
  }
  // The smoke run renders the results file too, into the run directory, so that its code cannot rot.
  const output = settings.output ?? path.join(tmpDir, 'benchmarks.md');
  writeResults({
    commit,
    file: output,
    settings,
    startedAt,
    finishedAt: new Date(),
    pin,
    nginx,
    variants,
    summaries,
    targetRows,
    prefill,
    counts,
  });
  if (settings.output) {
    log(`wrote ${path.relative(process.cwd(), settings.output)}`);
  } else {
    const total = sizes.reduce(
      (n, s) =>
        n + [...Object.values(s.throughput), ...Object.values(s.paced)].flat().reduce((m, x) => m + x.answers, 0),
      0,
    );
    const pre = Object.values(prefill).reduce((n, r) => n + r.answers, 0);
    log(`bench smoke: ok: ${variants.length} variants, ${total + pre} requests, every answer the app's 200`);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`bench: ${error?.stack ?? error}`);
    process.exit(1);
  },
);
