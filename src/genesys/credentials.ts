import { readFile } from 'node:fs/promises';

import { trimSecret } from '../secrets/read-secret-path.js';

/** A credential given inline (local development) or as a file (a mounted Secret key), never both. */
export interface CredentialSource {
  value?: string;
  file?: string;
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** Why credentials could not be read. Names the setting and the file, never a value. */
export class CredentialError extends Error {
  override name = 'CredentialError';
}

/**
 * Reads the OAuth client's id and secret. Files are read afresh on every call, so a rotated Secret is used
 * by the next token request without a restart or a watcher.
 */
export async function readClientCredentials(
  clientId: CredentialSource,
  clientSecret: CredentialSource,
): Promise<ClientCredentials> {
  const [id, secret] = await Promise.all([
    readCredential('client id', clientId),
    readCredential('client secret', clientSecret),
  ]);
  // HTTP Basic (RFC 7617) splits at the first colon, so an id with one could never authenticate.
  if (id.includes(':')) throw new CredentialError('the client id contains a colon');
  return { clientId: id, clientSecret: secret };
}

async function readCredential(name: string, source: CredentialSource): Promise<string> {
  if (source.value !== undefined && source.file !== undefined) {
    throw new CredentialError(`the ${name} is given both inline and as a file`);
  }
  if (source.file !== undefined) {
    let content: Buffer;
    try {
      content = await readFile(source.file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new CredentialError(`the ${name} file ${source.file} could not be read (${code})`);
    }
    const value = trimSecret(content).toString('utf8');
    if (value === '') throw new CredentialError(`the ${name} file ${source.file} is empty`);
    return value;
  }
  if (source.value === undefined || source.value === '') throw new CredentialError(`the ${name} is not set`);
  return source.value;
}
