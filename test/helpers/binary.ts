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
export async function runCli(args: string[], env: Record<string, string> = {}, stdin?: string | Buffer): Promise<Finished> {
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
