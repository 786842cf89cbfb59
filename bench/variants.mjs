// The things measured: the stand-in app itself (direct), the baselines and the sidecar. Each `start`
// returns { port, pid, describe, counts() } once the variant answers, all on loopback.
import { existsSync, openSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { findNginx, nginxArgs } from './nginx.mjs';
import { freePort, messageOf, startProcess, waitForOk } from './processes.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/**
 * key, label, which signature profile its requests carry, and whether it is a baseline. `remembered`
 * variants are separate sidecar processes that get BENCH_PREFILL events before anything is measured.
 */
export const VARIANTS = [
  { key: 'direct', label: 'direct to the app', profile: 'purecloud', baseline: true },
  { key: 'passthrough', label: 'bare Node passthrough', profile: 'purecloud', baseline: true },
  { key: 'nginx', label: 'nginx reverse proxy', profile: 'purecloud', baseline: true },
  { key: 'forwarder-only', label: "sidecar's forwarder alone, no checks", profile: 'purecloud', baseline: true },
  { key: 'sidecar-purecloud', label: 'sidecar, purecloud', profile: 'purecloud', sidecar: true },
  { key: 'sidecar-open-messaging', label: 'sidecar, open-messaging', profile: 'open-messaging', sidecar: true },
  { key: 'verified-http-proxy', label: 'verified path, http-proxy', profile: 'purecloud', verifies: true },
  {
    key: 'sidecar-purecloud-remembered',
    label: 'sidecar, purecloud, # remembered',
    profile: 'purecloud',
    sidecar: true,
    remembered: true,
  },
  {
    key: 'sidecar-open-messaging-remembered',
    label: 'sidecar, open-messaging, # remembered',
    profile: 'open-messaging',
    sidecar: true,
    remembered: true,
  },
];

/** The variants of a run, with the prefill count in the labels of the remembered ones. */
export function variantsFor(prefill) {
  const count = prefill >= 1000 && prefill % 1000 === 0 ? `${prefill / 1000}k` : String(prefill);
  return VARIANTS.map((v) => (v.remembered ? { ...v, label: v.label.replace('#', count) } : v));
}

/** The environment a sidecar runs with (shown in the results file, secret aside). */
export function sidecarSettings({ profile, appPort, listenPort, adminPort }) {
  return {
    LISTEN_HOST: '127.0.0.1',
    LISTEN_PORT: String(listenPort),
    ADMIN_PORT: String(adminPort),
    UPSTREAM_URL: `http://127.0.0.1:${appPort}`,
    SIGNATURE_PROFILE: profile,
    WEBHOOK_SECRET_PATH: '/nonexistent/genesys-webhook-sidecar-bench',
    LOG_LEVEL: 'info',
    SHUTDOWN_DELAY_SECONDS: '0',
    SHUTDOWN_TIMEOUT_MS: '2000',
  };
}

function nodeChild(name, script, args, { core, env, logFile }) {
  const out = logFile ? openSync(logFile, 'a') : 'ignore';
  return startProcess(name, process.execPath, [path.join(HERE, script), ...args], {
    core,
    env,
    stdio: ['ignore', out, 'inherit', 'ipc'],
  });
}

/** Starts the stand-in app; resolves with its port and pid. */
export async function startApp({ core }) {
  const child = nodeChild('app', 'app.mjs', [], { core });
  const { port } = await messageOf(child, 'ready');
  return { child, port, pid: child.pid };
}

/** Starts one variant in front of the app at `appPort`. */
export async function startVariant(variant, { app, core, secret, settings, tmpDir, nginx }) {
  // The request log: /dev/null by default, so that the sidecar pays for formatting and writing every line but
  // the figures do not include this VM's disk writeback; BENCH_SIDECAR_LOG=file keeps it in the run directory.
  const logFile = settings.logToFile ? path.join(tmpDir, `${variant.key}.log`) : '/dev/null';
  if (variant.key === 'direct') return { port: app.port, pid: undefined, describe: 'the stand-in app itself' };

  if (variant.key === 'passthrough') {
    const child = nodeChild(variant.key, 'passthrough.mjs', [String(app.port)], { core });
    const { port } = await messageOf(child, 'ready');
    return { port, pid: child.pid, child, describe: 'bench/passthrough.mjs' };
  }

  if (variant.key === 'forwarder-only') {
    const env = { PATH: process.env.PATH, BENCH_BUILD_DIR: settings.buildDir };
    const child = nodeChild(variant.key, 'forwarder-only.mjs', [String(app.port)], { core, env });
    const { port } = await messageOf(child, 'ready');
    return { port, pid: child.pid, child, describe: 'bench/forwarder-only.mjs' };
  }

  if (variant.key === 'nginx') {
    const port = await freePort();
    const prefix = path.join(tmpDir, 'nginx');
    const child = startProcess(
      'nginx',
      nginx.binary,
      nginxArgs({ prefix, listenPort: port, appPort: app.port, maxBodyBytes: 1_048_576 }),
      {
        core,
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    await waitForOk(`http://127.0.0.1:${port}/`, child);
    return { port, pid: child.pid, child, describe: `nginx ${nginx.version}, 1 worker, upstream keepalive` };
  }

  if (variant.key === 'verified-http-proxy') {
    const env = {
      PATH: process.env.PATH,
      BENCH_BUILD_DIR: settings.buildDir,
      GENESYS_WEBHOOK_SECRET: secret,
      SIGNATURE_PROFILE: variant.profile,
      LOG_LEVEL: 'info',
    };
    const child = nodeChild(variant.key, 'verified-http-proxy.mjs', [String(app.port)], { core, env, logFile });
    const { port } = await messageOf(child, 'ready');
    return {
      port,
      pid: child.pid,
      child,
      describe: 'bench/verified-http-proxy.mjs',
      async counts() {
        child.send({ type: 'stats' });
        const { counts, dedupeEntries } = await messageOf(child, 'stats');
        const forwarded = Object.entries(counts)
          .filter(([k]) => k.startsWith('forwarded 2'))
          .reduce((n, [, v]) => n + v, 0);
        const total = Object.values(counts).reduce((n, v) => n + v, 0);
        return {
          delivered: forwarded,
          duplicates: counts.duplicate ?? 0,
          refused: total - forwarded - (counts.duplicate ?? 0),
          dedupeEntries,
        };
      },
    };
  }

  // The sidecar: the built binary, configured only through its environment, logging at info to a file.
  const main = path.join(settings.buildDir, 'src', 'cli', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} does not exist: build first (npm run build) or set BENCH_BUILD_DIR`);
  const listenPort = await freePort();
  const adminPort = await freePort();
  const env = {
    PATH: process.env.PATH,
    GENESYS_WEBHOOK_SECRET: secret,
    ...sidecarSettings({ profile: variant.profile, appPort: app.port, listenPort, adminPort }),
    ...settings.sidecarEnv,
  };
  const nodeArgs = settings.cpuProfDir
    ? ['--cpu-prof', `--cpu-prof-dir=${settings.cpuProfDir}`, `--cpu-prof-name=${variant.key}.cpuprofile`]
    : [];
  const out = openSync(logFile, 'a');
  const child = startProcess(variant.key, process.execPath, [...nodeArgs, main], {
    core,
    env,
    stdio: ['ignore', out, out],
  });
  await waitForOk(`http://127.0.0.1:${adminPort}/readyz`, child);
  return {
    port: listenPort,
    pid: child.pid,
    child,
    describe: `${path.relative(process.cwd(), main)} (SIGNATURE_PROFILE=${variant.profile})`,
    async counts() {
      const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
      const sum = (name) =>
        text
          .split('\n')
          .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
          .reduce((n, line) => n + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
      return {
        delivered: sum('genesys_webhook_accepted_total'),
        duplicates: sum('genesys_webhook_duplicates_total'),
        refused: sum('genesys_webhook_rejected_total') + sum('genesys_webhook_failed_total'),
        dedupeEntries: sum('genesys_webhook_dedupe_entries'),
      };
    },
  };
}

export { findNginx };
