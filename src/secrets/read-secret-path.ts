import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

import type { SecretKey } from './keyring.js';
import type { SecretReading } from './secret-source.js';

/** A secret file's bytes without the trailing CR/LF that editors and `echo` add. */
export function trimSecret(content: Buffer): Buffer {
  let end = content.length;
  while (end > 0 && (content[end - 1] === 0x0a || content[end - 1] === 0x0d)) end -= 1;
  return content.subarray(0, end);
}

/**
 * Reads every key of a mounted Kubernetes Secret directory, or one file. The kubelet lays a Secret volume
 * out as `<key> -> ..data/<key>` symlinks beside hidden `..data` and `..<timestamp>` entries, so dot
 * entries are skipped and symlinks followed.
 */
export async function readSecretPath(path: string): Promise<SecretReading> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error) {
    return { keys: [], problems: [`${path}: ${describeFsError(error)}`] };
  }
  if (!isDirectory) return readKeys([[basename(path), path]]);

  let names: string[];
  try {
    names = await readdir(path);
  } catch (error) {
    return { keys: [], problems: [`${path}: ${describeFsError(error)}`] };
  }
  const entries = names
    .filter((name) => !name.startsWith('.'))
    .sort()
    .map((name): [string, string] => [name, join(path, name)]);
  return readKeys(entries);
}

async function readKeys(entries: Array<[name: string, file: string]>): Promise<SecretReading> {
  const keys: SecretKey[] = [];
  const problems: string[] = [];
  for (const [name, file] of entries) {
    try {
      if (!(await stat(file)).isFile()) continue;
      const value = trimSecret(await readFile(file));
      if (value.length === 0) problems.push(`${file}: empty, ignored`);
      else keys.push({ name, value });
    } catch (error) {
      problems.push(`${file}: ${describeFsError(error)}`);
    }
  }
  return { keys, problems };
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'does not exist';
  if (code === 'EACCES') return 'permission denied';
  return code ?? String(error);
}
