import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The `prometheus` server binary: $PROMETHEUS_BIN, else the first on PATH; undefined when there is none. */
export function findPrometheus(): string | undefined {
  const candidates = process.env.PROMETHEUS_BIN
    ? [process.env.PROMETHEUS_BIN]
    : (process.env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, 'prometheus'));
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export interface PrometheusOptions {
  binary: string;
  /** Scrape job name; its targets are `host:port` of /metrics endpoints. */
  jobName: string;
  targets: string[];
  /** Absolute paths of rule files to load. */
  ruleFiles?: string[];
  /** Scrape and rule evaluation interval; 1s keeps tests short. */
  interval?: string;
}

/** One answer of the HTTP API (`/api/v1/...`), success or error. */
export interface ApiAnswer<T> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
  warnings?: string[];
}

export interface QueryData {
  resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  result: unknown;
}

export interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface RunningPrometheus {
  url: string;
  /** An instant query at the current time through /api/v1/query. */
  query(expr: string): Promise<ApiAnswer<QueryData>>;
  /** GET any API path, e.g. `/api/v1/rules`, and parse the JSON answer (also for 4xx/5xx answers). */
  api<T>(path: string, params?: Record<string, string | string[]>): Promise<ApiAnswer<T>>;
  /** Everything the server logged so far (stderr), for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

const START_ATTEMPTS = 3;
const READY_TIMEOUT_MS = 15_000;

/**
 * Runs a real Prometheus server on a free loopback port, with its storage in a fresh temporary directory
 * and a generated config scraping `targets` every `interval`. Resolves once `/-/ready` answers 200.
 * A port taken between choosing and binding it is retried with another one.
 */
export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'gws-prometheus-'));
  const interval = options.interval ?? '1s';
  // JSON is YAML, so the config needs no YAML library.
  const config = {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    rule_files: options.ruleFiles ?? [],
    scrape_configs: [{ job_name: options.jobName, static_configs: [{ targets: options.targets }] }],
  };
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, JSON.stringify(config, null, 2));

  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt += 1) {
    const port = await freeLoopbackPort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(
      options.binary,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dir, `data-${attempt}`)}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // Never leave a server behind, even when the test process dies without running its `after` hooks.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);

    try {
      await waitUntilReady(url, child, () => stderr);
    } catch (error) {
      lastError = error;
      await stopChild(child);
      process.removeListener('exit', killOnExit);
      if (/address already in use/i.test(stderr)) continue;
      break;
    }

    const api = async <T>(path: string, params: Record<string, string | string[]> = {}): Promise<ApiAnswer<T>> => {
      const search = new URLSearchParams();
      for (const [name, value] of Object.entries(params)) {
        for (const one of Array.isArray(value) ? value : [value]) search.append(name, one);
      }
      const answer = await fetch(`${url}${path}${search.toString() ? `?${search.toString()}` : ''}`);
      return (await answer.json()) as ApiAnswer<T>;
    };
    return {
      url,
      api,
      query: (expr) => api<QueryData>('/api/v1/query', { query: expr }),
      output: () => stderr,
      async stop() {
        await stopChild(child);
        process.removeListener('exit', killOnExit);
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

async function waitUntilReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`prometheus exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output()}`);
    }
    try {
      const answer = await fetch(`${url}/-/ready`);
      await answer.body?.cancel();
      if (answer.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`prometheus was not ready within ${READY_TIMEOUT_MS} ms:\n${output()}`);
}

/** SIGTERM, then SIGKILL if it has not exited within 5 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
