import type { Config } from '../config.js';
import type { SecretKey } from './keyring.js';
import { readSecretPath, trimSecret } from './read-secret-path.js';

export interface LoadedSecrets {
  keys: SecretKey[];
  problems: string[];
}

/** Secrets from WEBHOOK_SECRET_PATH plus the inline GENESYS_WEBHOOK_SECRET, all accepted alike. */
export async function loadSecrets(config: Pick<Config, 'webhookSecretPath' | 'inlineSecret'>): Promise<LoadedSecrets> {
  const reading = await readSecretPath(config.webhookSecretPath);
  const keys = [...reading.keys];
  if (config.inlineSecret !== undefined) {
    const value = trimSecret(Buffer.from(config.inlineSecret, 'utf8'));
    if (value.length > 0) keys.push({ name: 'GENESYS_WEBHOOK_SECRET', value });
  }
  // The inline secret alone is a normal local set-up, so a missing path is only worth reporting without it.
  const problems = config.inlineSecret !== undefined && keys.length > 0 ? [] : reading.problems;
  return { keys, problems };
}
