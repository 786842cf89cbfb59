import { describeProblems, loadConfig } from '../config.js';
import { effectiveSettings } from '../config-summary.js';
import { createLogger } from '../observability/logger.js';
import type { SecretReading } from '../secrets/secret-source.js';
import { createSecretSource, inlineKeyOf } from '../secrets/secret-source-from-config.js';

/**
 * `check-config`: validates the settings and reads the secrets once, without starting any server. Prints
 * the effective configuration (secrets redacted) and exits 0, or 2 naming every problem.
 */
export async function checkConfig(env: NodeJS.ProcessEnv): Promise<number> {
  const result = loadConfig(env);
  if (!result.ok) {
    process.stderr.write(describeProblems(result.problems));
    return 2;
  }

  const config = result.config;
  const source = await createSecretSource(config, createLogger('silent'));
  let first: SecretReading = { keys: [], problems: ['the secret source gave no reading'] };
  await source.start((reading) => (first = reading));
  await source.stop();

  const names = first.keys.map((key) => key.name);
  if (inlineKeyOf(config.inlineSecret)) names.push('GENESYS_WEBHOOK_SECRET');
  const report = {
    settings: effectiveSettings(config),
    secrets: { source: source.location, keys: names, count: names.length, problems: first.problems },
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (names.length > 0) return 0;
  process.stderr.write(`genesys-webhook-sidecar: no usable webhook secret at ${source.location}\n`);
  return 2;
}
