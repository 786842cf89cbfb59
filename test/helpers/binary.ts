import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/** The built CLI, as `npm start` and the container run it. */
export const CLI = new URL('../../src/cli/main.js', import.meta.url).pathname;

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion with the given environment (and nothing inherited but PATH). */
export async function runCli(
  args: string[],
  env: Record<string, string> = {},
  stdin?: string | Buffer,
): Promise<Finished> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
  child.stdin.end(stdin ?? '');
  return collect(child);
}

export async function collect(child: ChildProcessWithoutNullStreams): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** A loopback port that was free a moment ago (the binary takes fixed ports from its settings). */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface RunningBinary {
  child: ChildProcessWithoutNullStreams;
  /** Resolves when the process has exited, with all it printed. */
  finished: Promise<Finished>;
  webhookUrl: string;
  adminUrl: string;
}

/**
 * Starts the built sidecar on free loopback ports with `env` on top of a minimal local set-up (no secret
 * path, no drain delay), and waits until `/readyz` answers `readyStatus`.
 */
export async function startBinary(env: Record<string, string>, readyStatus = 200): Promise<RunningBinary> {
  const [webhookPort, adminPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [CLI], {
    env: {
      PATH: process.env.PATH ?? '',
      LISTEN_HOST: '127.0.0.1',
      LISTEN_PORT: String(webhookPort),
      ADMIN_PORT: String(adminPort),
      WEBHOOK_SECRET_PATH: '/nonexistent/gws-e2e',
      SHUTDOWN_DELAY_SECONDS: '0',
      ...env,
    },
  });
  const finished = collect(child);
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  try {
    await waitForStatus(`${adminUrl}/readyz`, readyStatus);
  } catch (error) {
    child.kill('SIGKILL');
    const { stderr } = await finished;
    throw new Error(`${(error as Error).message}; the sidecar printed: ${stderr}`, { cause: error });
  }
  return { child, finished, webhookUrl: `http://127.0.0.1:${webhookPort}`, adminUrl };
}

/** Polls a URL until it answers `status`, or throws after `limitMs`. */
export async function waitForStatus(url: string, status: number, limitMs = 10_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      if ((await fetch(url)).status === status) return;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > limitMs) throw new Error(`${url} did not answer ${status} within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
