import { setTimeout as sleep } from 'node:timers/promises';
import { constants } from 'node:os';

import { describeProblems, loadConfig, type Config } from '../config.js';
import { effectiveSettings } from '../config-summary.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { startSidecar, type RunningSidecar } from '../sidecar.js';

/** The default command: validate the settings, start the sidecar, drain and stop on SIGTERM / SIGINT. */
export async function run(env: NodeJS.ProcessEnv): Promise<number | undefined> {
  const result = loadConfig(env);
  if (!result.ok) {
    process.stderr.write(describeProblems(result.problems));
    return 2;
  }

  const logger = createLogger(result.config.logLevel);
  logger.info({ settings: effectiveSettings(result.config) }, 'starting');
  const sidecar = await startSidecar(result.config, logger);

  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting at once');
      logger.flush(() => process.exit(128 + constants.signals[signal]));
      return;
    }
    stopping = true;
    drainAndStop(sidecar, result.config, logger, signal).then(
      () => logger.flush(() => process.exit(0)),
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        logger.flush(() => process.exit(1));
      },
    );
  };
  process.on('SIGTERM', onSignal).on('SIGINT', onSignal);
  return undefined;
}

/**
 * Kubernetes sends SIGTERM while the pod may still be listed as an endpoint, and load balancers keep
 * sending for a while after it is removed. So: report not ready at once, keep serving for the delay, then
 * stop accepting and let requests in flight finish.
 */
async function drainAndStop(
  sidecar: RunningSidecar,
  config: Config,
  logger: Logger,
  signal: NodeJS.Signals,
): Promise<void> {
  sidecar.startDraining();
  logger.info({ signal, delaySeconds: config.shutdownDelaySeconds }, 'draining: not ready, still serving');
  await sleep(config.shutdownDelaySeconds * 1000);
  logger.info({ timeoutMs: config.shutdownTimeoutMs }, 'no longer accepting; finishing requests in flight');
  await sidecar.close(config.shutdownTimeoutMs);
  logger.info('stopped');
}
