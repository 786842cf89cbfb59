import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { startEchoApp, type EchoApp } from './echo-app.js';
import {
  demoRequests,
  describeReply,
  get,
  postJson,
  type Answer,
  type DemoProfile,
  type DemoRequest,
} from './demo-requests.js';

// `npm run demo`: the real built sidecar, one child per profile, in front of an echo app, fed a realistic
// mix of good and bad deliveries. Prints what each got and the counters; exits 0 only if all were as expected.

const MAIN_JS = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const PROFILES: DemoProfile[] = ['purecloud', 'open-messaging'];
// Small, so that the oversized delivery stays small too.
const MAX_BODY_BYTES = 65_536;
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const DEMO_TIMEOUT_MS = 30_000;
// How much of a child's output to keep for the message when it fails to start.
const OUTPUT_TAIL_CHARS = 4_000;

interface Sidecar {
  profile: DemoProfile;
  child: ChildProcess;
  webhookUrl: string;
  adminUrl: string;
  output(): string;
}

interface Row {
  request: DemoRequest;
  got: Answer | undefined;
  detail: string;
  ok: boolean;
}

/** Every child started, so that the watchdog can kill them even while main() is stuck. */
const children = new Set<ChildProcess>();

async function main(): Promise<number> {
  const secret = randomBytes(32).toString('hex');
  const app = await startEchoApp();
  try {
    const sidecars = await startSidecars(app.url, secret);
    printSetup(app, sidecars);
    const rows = await sendAll(demoRequests(secret, MAX_BODY_BYTES), sidecars);
    printTable(rows);
    process.stdout.write(`\nThe echo app received ${app.received()} requests; the sidecars answered all others.\n`);
    await printCounters(sidecars);
    return printVerdict(rows);
  } finally {
    await Promise.all([...children].map(stopChild));
    await app.close();
  }
}

async function startSidecars(upstreamUrl: string, secret: string): Promise<Map<DemoProfile, Sidecar>> {
  const ports = await freePorts(PROFILES.length * 2);
  const started = await Promise.all(
    PROFILES.map((profile, index) =>
      startSidecar(profile, {
        LISTEN_HOST: '127.0.0.1',
        LISTEN_PORT: String(ports[index * 2]),
        ADMIN_PORT: String(ports[index * 2 + 1]),
        UPSTREAM_URL: upstreamUrl,
        SIGNATURE_PROFILE: profile,
        GENESYS_WEBHOOK_SECRET: secret,
        // Absent on purpose: the inline secret is the only one, as in local development.
        WEBHOOK_SECRET_PATH: join(tmpdir(), `genesys-webhook-sidecar-demo-${randomUUID()}`),
        MAX_BODY_BYTES: String(MAX_BODY_BYTES),
        LOG_LEVEL: 'warn',
        // Stop at once on SIGTERM (a contract setting): there is no load balancer to drain here.
        SHUTDOWN_DELAY_SECONDS: '0',
      }),
    ),
  );
  return new Map(started.map((sidecar) => [sidecar.profile, sidecar]));
}

/**
 * Free loopback ports, all held open until every one is chosen so that none is handed out twice. Another
 * process could still take one before the sidecar binds it; the readiness wait then says so.
 */
async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer().listen(0, '127.0.0.1'));
  await Promise.all(servers.map((server) => once(server, 'listening')));
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

// The environment holds only our settings, so that a SIGNATURE_HEADER or REDIS_URL exported in the
// caller's shell cannot change what the demo shows.
async function startSidecar(profile: DemoProfile, env: Record<string, string>): Promise<Sidecar> {
  const child = spawn(process.execPath, [MAIN_JS], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const sidecar: Sidecar = {
    profile,
    child,
    webhookUrl: `http://127.0.0.1:${env.LISTEN_PORT}/webhook/genesys`,
    adminUrl: `http://127.0.0.1:${env.ADMIN_PORT}`,
    output: () => output,
  };
  await waitUntilReady(sidecar);
  return sidecar;
}

async function waitUntilReady(sidecar: Sidecar): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const { exitCode, signalCode } = sidecar.child;
    if (exitCode !== null || signalCode !== null) {
      throw startFailure(sidecar, `exited (${exitCode ?? signalCode}) before it was ready`);
    }
    const reply = await get(`${sidecar.adminUrl}/readyz`).catch(() => undefined);
    if (reply?.status === 200) return;
    await sleep(100);
  }
  throw startFailure(sidecar, `was not ready within ${READY_TIMEOUT_MS / 1000} s`);
}

function startFailure(sidecar: Sidecar, what: string): Error {
  const output = sidecar.output().trim() || '(no output)';
  return new Error(`the ${sidecar.profile} sidecar (${MAIN_JS}) ${what}. Its output:\n${output}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    // A sidecar that does not finish its graceful stop in time is not worth waiting for in a demo.
    const impatience = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.kill('SIGTERM');
    await exited;
    clearTimeout(impatience);
  }
  children.delete(child);
}

// One after another: a retry only means something once the delivery it repeats has been answered.
async function sendAll(requests: DemoRequest[], sidecars: Map<DemoProfile, Sidecar>): Promise<Row[]> {
  const rows: Row[] = [];
  for (const request of requests) {
    const { webhookUrl } = sidecars.get(request.profile)!;
    try {
      const { answer, detail } = describeReply(await postJson(webhookUrl, request.body, request.headers));
      const ok = answer.status === request.expected.status && answer.result === request.expected.result;
      rows.push({ request, got: answer, detail, ok });
    } catch (error) {
      rows.push({ request, got: undefined, detail: `no answer: ${(error as Error).message}`, ok: false });
    }
  }
  return rows;
}

function printSetup(app: EchoApp, sidecars: Map<DemoProfile, Sidecar>): void {
  const lines = [
    'genesys-webhook-sidecar demo',
    `  echo app                 ${app.url}`,
    ...[...sidecars.values()].map(
      (sidecar) => `  sidecar ${sidecar.profile.padEnd(16)} ${sidecar.webhookUrl}   admin ${sidecar.adminUrl}`,
    ),
    `  secret                   generated for this run; MAX_BODY_BYTES=${MAX_BODY_BYTES}`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

function printTable(rows: Row[]): void {
  const cells = rows.map((row, index) => [
    String(index + 1),
    row.request.profile,
    row.request.label,
    show(row.request.expected),
    row.got === undefined ? '-' : show(row.got),
    row.ok ? '✓' : '✗',
    row.detail,
  ]);
  const header = ['#', 'sidecar', 'sent', 'expected', 'got', '', 'details'];
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((cell) => cell[column]!.length)));
  const format = (cell: string[]): string =>
    cell
      .map((text, column) => (column === 0 ? text.padStart(widths[0]!) : text.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${[format(header), ...cells.map(format)].join('\n')}\n`);
}

function show(answer: Answer): string {
  return `${answer.status} ${answer.result}`;
}

async function printCounters(sidecars: Map<DemoProfile, Sidecar>): Promise<void> {
  process.stdout.write('\nCounters (GET /metrics on each admin port):\n');
  for (const sidecar of sidecars.values()) {
    const { text } = await get(`${sidecar.adminUrl}/metrics`);
    const counters = text.split('\n').filter((line) => /^genesys_webhook_\w+_total[{ ]/.test(line));
    for (const line of counters) process.stdout.write(`  ${sidecar.profile.padEnd(16)} ${line}\n`);
  }
}

function printVerdict(rows: Row[]): number {
  const failed = rows.filter((row) => !row.ok).length;
  process.stdout.write(
    failed === 0
      ? `\nAll ${rows.length} requests got the expected answer.\n`
      : `\n${failed} of ${rows.length} requests did NOT get the expected answer.\n`,
  );
  return failed === 0 ? 0 : 1;
}

// Bounds the whole run: kills the children even if something above hangs.
const watchdog = setTimeout(() => {
  process.stderr.write(`demo: gave up after ${DEMO_TIMEOUT_MS / 1000} s\n`);
  for (const child of children) child.kill('SIGKILL');
  process.exit(1);
}, DEMO_TIMEOUT_MS);

main()
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  )
  .finally(() => clearTimeout(watchdog));
