import { loadConfig } from '../config.js';
import { createLogger } from '../observability/logger.js';
import { startSidecar } from '../sidecar.js';

// Kubernetes gives 30 s between SIGTERM and SIGKILL by default; finish well inside that.
const SHUTDOWN_GRACE_MS = 10_000;

/** The default command: validate the settings, start the sidecar, stop cleanly on SIGTERM / SIGINT. */
export async function run(env: NodeJS.ProcessEnv): Promise<number | undefined> {
  const result = loadConfig(env);
  if (!result.ok) {
    process.stderr.write(`genesys-webhook-sidecar: invalid settings\n${result.problems.map((p) => `  - ${p}`).join('\n')}\n`);
    return 2;
  }

  const logger = createLogger(result.config.logLevel);
  const sidecar = await startSidecar(result.config, logger);

  const stop = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'stopping: finishing requests in flight');
    sidecar
      .close(SHUTDOWN_GRACE_MS)
      .then(() => {
        logger.info('stopped');
        logger.flush();
        process.exitCode = 0;
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        logger.flush();
        process.exitCode = 1;
      });
  };
  process.once('SIGTERM', stop).once('SIGINT', stop);
  return undefined;
}
