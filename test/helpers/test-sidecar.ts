import { Writable } from 'node:stream';

import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { startSidecar, type RunningSidecar } from '../../src/sidecar.js';

export interface TestSidecar extends Omit<RunningSidecar, 'close'> {
  /** Closes at once by default: tests do not wait for a drain. */
  close(timeoutMs?: number): Promise<void>;
  webhookUrl: string;
  adminUrl: string;
  config: Config;
  /** Every log line written so far, parsed. */
  logs: Array<Record<string, unknown>>;
}

/**
 * Starts the real sidecar in this process on ephemeral loopback ports. `env` holds settings exactly as
 * a user would give them; the ports are then replaced by 0 so parallel tests never collide.
 */
export async function startTestSidecar(env: Record<string, string>): Promise<TestSidecar> {
  const result = loadConfig({ WEBHOOK_SECRET_PATH: '/nonexistent/gws-test', LISTEN_HOST: '127.0.0.1', ...env });
  if (!result.ok) throw new Error(`test settings are invalid: ${result.problems.join('; ')}`);
  const config = { ...result.config, listenPort: 0, adminPort: 0 };

  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const sidecar = await startSidecar(config, createLogger('info', sink));
  return {
    ...sidecar,
    close: (timeoutMs = 1000) => sidecar.close(timeoutMs),
    config,
    logs,
    webhookUrl: `http://127.0.0.1:${sidecar.webhookPort}`,
    adminUrl: `http://127.0.0.1:${sidecar.adminPort}`,
  };
}
