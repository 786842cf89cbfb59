import type { Config } from '../config.js';
import type { Logger } from '../observability/logger.js';
import type { SecretKey } from './keyring.js';
import { MountedSecretSource } from './mounted-secret-source.js';
import { trimSecret } from './read-secret-path.js';
import type { SecretSource } from './secret-source.js';

/** The source that SECRET_SOURCE names. Throws when the Kubernetes source cannot tell its namespace. */
export async function createSecretSource(config: Config, logger: Logger): Promise<SecretSource> {
  if (config.secretSource === 'file') {
    return new MountedSecretSource(config.webhookSecretPath, config.secretRescanSeconds * 1000);
  }

  // Loaded only when chosen: @kubernetes/client-node alone adds tens of megabytes of heap at start-up.
  const { KubernetesSecretSource, loadKubeConfig, serviceAccountNamespace } =
    await import('./kubernetes-secret-source.js');
  const kubeConfig = loadKubeConfig();
  const namespace =
    config.secretNamespace ??
    serviceAccountNamespace() ??
    kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace;
  if (namespace === undefined) {
    throw new Error('SECRET_NAMESPACE is unset and no service account or kubeconfig context names a namespace');
  }
  return new KubernetesSecretSource({ name: config.secretName!, namespace, kubeConfig, logger });
}

/** GENESYS_WEBHOOK_SECRET as a key, or undefined when it is unset or only line breaks. */
export function inlineKeyOf(inlineSecret: string | undefined): SecretKey | undefined {
  if (inlineSecret === undefined) return undefined;
  const value = trimSecret(Buffer.from(inlineSecret, 'utf8'));
  return value.length > 0 ? { name: 'GENESYS_WEBHOOK_SECRET', value } : undefined;
}
