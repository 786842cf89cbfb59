// Child processes of a bench run: started pinned to a core when the machine allows, tracked, and all killed
// when the run ends, fails or is interrupted.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';

import { processTree } from './proc-stats.mjs';

const children = new Set();

/**
 * Which cores the servers and the load generator get. Pinning only helps with distinct cores from the set
 * this process may use (containers often restrict it).
 */
export function choosePinning() {
  const probe = spawnSync('taskset', ['-cp', String(process.pid)], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return { applied: false, reason: 'taskset is not available' };
  const list = probe.stdout.split(':').pop().trim();
  const cores = [];
  for (const part of list.split(',')) {
    const [a, b] = part.split('-').map(Number);
    for (let c = a; c <= (Number.isFinite(b) ? b : a); c++) cores.push(c);
  }
  if (cores.length < 2) return { applied: false, reason: `only core(s) ${list} are allowed` };
  // This process only orchestrates; keep it off the servers' core.
  spawnSync('taskset', ['-cp', String(cores[1]), String(process.pid)]);
  return { applied: true, serverCore: cores[0], loadCore: cores[1], allowed: list };
}

/**
 * Spawns `command args` (pinned to `core` when given) and tracks it. `stdio` as for child_process.spawn;
 * add 'ipc' as the fourth entry for Node children that talk to the parent.
 */
export function startProcess(name, command, args, { core, env, stdio = ['ignore', 'inherit', 'inherit'] } = {}) {
  const [cmd, argv] = core === undefined ? [command, args] : ['taskset', ['-c', String(core), command, ...args]];
  const child = spawn(cmd, argv, { stdio, env: env ?? process.env });
  child.benchName = name;
  children.add(child);
  const exited = once(child, 'exit').then(([code, signal]) => {
    children.delete(child);
    return { code, signal };
  });
  child.exited = exited;
  return child;
}

/** Resolves with the child's first IPC message of the given type; rejects if it exits first. */
export function messageOf(child, type, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`${child.benchName}: no '${type}' message within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (message) => {
      if (message?.type === type) done(undefined, message);
    };
    const onExit = (code, signal) => done(new Error(`${child.benchName} exited (${code ?? signal}) before '${type}'`));
    function done(error, message) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(message);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** A loopback port that was free a moment ago (the kernel's pick). */
export async function freePort() {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls until `url` answers 200, or throws after `timeoutMs` (or as soon as `child` exits). */
export async function waitForOk(url, child, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${child.benchName} exited while starting`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${child.benchName}: ${url} did not answer 200 within ${timeoutMs} ms`);
}

/** Asks a child to stop (SIGTERM), then kills it if it has not gone within `graceMs`. */
export async function stopProcess(child, graceMs = 5_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

/** Sends a signal to a process and its children (nginx's workers); a process already gone is skipped. */
export function signalTree(pid, signal) {
  for (const p of processTree(pid)) {
    try {
      process.kill(p, signal);
    } catch {
      // Already gone.
    }
  }
}

/** SIGKILL to every child still running and to its own children (nginx's workers). */
export function killAll() {
  for (const child of children) {
    for (const pid of child.pid ? processTree(child.pid).reverse() : []) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
}

let hooked = false;
/** Kill every child when this process exits, fails or is interrupted; `onSignal` may clean up first. */
export function killChildrenOnExit(cleanup = () => {}) {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    killAll();
    cleanup();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      console.error(`\nbench: ${signal}, stopping every child`);
      process.exit(130);
    });
  }
}
