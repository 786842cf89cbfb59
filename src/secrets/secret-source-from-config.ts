import type { Config } from '../config.js';
import type { Logger } from '../observability/logger.js';
import type { SecretKey } from './keyring.js';
import { MountedSecretSource } from './mounted-secret-source.js';
import { trimSecret } from './read-secret-path.js';
import type { SecretSource } from './secret-source.js';

/** The source that SECRET_SOURCE names. */
export async function createSecretSource(config: Config, logger: Logger): Promise<SecretSource> {
  if (config.secretSource === 'file') {
    return new MountedSecretSource(config.webhookSecretPath, config.secretRescanSeconds * 1000);
  }
  logger.error("SECRET_SOURCE=kubernetes arrives with the Kubernetes source");
  throw new Error(`SECRET_SOURCE=${config.secretSource} is not available yet`);
}

/** GENESYS_WEBHOOK_SECRET as a key, or undefined when it is unset or only line breaks. */
export function inlineKeyOf(inlineSecret: string | undefined): SecretKey | undefined {
  if (inlineSecret === undefined) return undefined;
  const value = trimSecret(Buffer.from(inlineSecret, 'utf8'));
  return value.length > 0 ? { name: 'GENESYS_WEBHOOK_SECRET', value } : undefined;
}
