// What a bench run does, from the environment (all optional) and the mode: `full` (npm run bench) or
// `smoke` (npm run bench:smoke: a few hundred requests through the same code paths, no figures kept).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function number(name, fallback, { min = 0 } = {}) {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min)
    throw new Error(`${name}=${JSON.stringify(raw)}: expected a number ≥ ${min}`);
  return value;
}

function list(name) {
  const raw = process.env[name];
  return raw
    ? raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
}

function pairs(name) {
  const result = {};
  for (const pair of list(name) ?? []) {
    const at = pair.indexOf('=');
    if (at < 1) throw new Error(`${name}: ${JSON.stringify(pair)} is not KEY=VALUE`);
    result[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return result;
}

export const KNOBS = [
  ['BENCH_BUILD_DIR', 'compiled tree holding src/cli/main.js, relative to the repo', 'dist'],
  ['BENCH_ROUNDS', 'interleaved rounds with ~1 KB bodies', '3'],
  ['BENCH_LARGE_ROUNDS', 'interleaved rounds with the large bodies', '2'],
  ['BENCH_BODY_BYTES / BENCH_LARGE_BODY_BYTES', 'body sizes (0 skips the large one)', '1024 / 65536'],
  ['BENCH_INITIAL_WARMUP_S', 'unmeasured load for each variant before round 1 (the prefill warms the others)', '20'],
  ['BENCH_WARMUP_S', 'unmeasured load before each measured window', '1'],
  ['BENCH_THROUGHPUT_S', 'measured window at fixed concurrency', '4'],
  ['BENCH_RATE_S', 'measured window at the fixed rate', '6'],
  ['BENCH_CONNECTIONS', 'concurrency of the throughput phase and the prefill', '50'],
  ['BENCH_RATE', 'requests/s of the fixed-rate phase', '1000'],
  ['BENCH_PREFILL', 'events sent to the "remembered" sidecars before measuring', '100000'],
  [
    'BENCH_VARIANTS',
    'comma-separated subset of `nginx`, `forwarder-only`, `sidecar-purecloud`, `sidecar-open-messaging`, `verified-http-proxy`, `sidecar-purecloud-remembered`, `sidecar-open-messaging-remembered` (direct and passthrough always run)',
    'all',
  ],
  ['BENCH_OUTPUT', 'results file of a full run, relative to the repo', 'docs/benchmarks.md'],
  ['BENCH_CPU_PROF', 'directory: run the sidecars with --cpu-prof and write their profiles there', '-'],
  ['BENCH_SIDECAR_LOG', '`file`: the request logs go to files in the run directory instead of /dev/null', '-'],
  ['BENCH_KEEP_TMP', '1: keep the run directory (logs, nginx.conf)', '-'],
  [
    'BENCH_SIDECAR_ENV',
    'extra settings for the sidecars, for experiments: `KEY=VALUE,KEY=VALUE` (shown in the results)',
    '-',
  ],
];

export function loadSettings(mode) {
  const smoke = mode === 'smoke';
  const buildDir = path.resolve(REPO_ROOT, process.env.BENCH_BUILD_DIR || 'dist');
  const base = {
    mode,
    buildDir,
    variants: list('BENCH_VARIANTS'),
    cpuProfDir: process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : undefined,
    keepTmp: process.env.BENCH_KEEP_TMP === '1',
    sidecarEnv: pairs('BENCH_SIDECAR_ENV'),
    logToFile: process.env.BENCH_SIDECAR_LOG === 'file',
    path: '/webhook/genesys',
  };
  if (smoke) {
    return {
      ...base,
      bodies: [
        { bytes: 1024, rounds: 1 },
        { bytes: 65536, rounds: 1 },
      ],
      initialWarmupS: 0,
      warmupS: 0,
      settleMs: 20,
      connections: 5,
      throughputAmount: 20,
      rate: 200,
      rateS: 0.1,
      prefill: 50,
      output: undefined,
    };
  }
  const large = number('BENCH_LARGE_BODY_BYTES', 65536);
  return {
    ...base,
    bodies: [
      { bytes: number('BENCH_BODY_BYTES', 1024, { min: 200 }), rounds: number('BENCH_ROUNDS', 3, { min: 1 }) },
      ...(large > 0 ? [{ bytes: large, rounds: number('BENCH_LARGE_ROUNDS', 2, { min: 1 }) }] : []),
    ],
    initialWarmupS: number('BENCH_INITIAL_WARMUP_S', 20),
    // Time for a variant to finish the requests a closed-loop run left in flight before it is stopped.
    settleMs: 300,
    warmupS: number('BENCH_WARMUP_S', 1),
    throughputS: number('BENCH_THROUGHPUT_S', 4, { min: 1 }),
    connections: number('BENCH_CONNECTIONS', 50, { min: 1 }),
    rate: number('BENCH_RATE', 1000, { min: 1 }),
    rateS: number('BENCH_RATE_S', 6, { min: 1 }),
    prefill: number('BENCH_PREFILL', 100_000),
    output: path.resolve(REPO_ROOT, process.env.BENCH_OUTPUT || 'docs/benchmarks.md'),
  };
}
