import { mkdir, mkdtemp, readdir, readlink, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SecretVolume {
  path: string;
  /** Replaces the whole Secret the way the kubelet does; keys left out disappear. */
  update(keys: Record<string, string | Buffer>): Promise<void>;
  remove(): Promise<void>;
}

let generation = 0;

/**
 * A directory laid out and updated the way the kubelet's atomic writer handles a Secret volume: the values
 * live in a hidden timestamped directory, `..data` points at it, and each key is a symlink
 * `<key> -> ..data/<key>`. An update writes a new timestamped directory, points `..data_tmp` at it, renames
 * that over `..data`, adds and removes the key symlinks, then deletes the old directory.
 */
export async function makeSecretVolume(keys: Record<string, string | Buffer>, root?: string): Promise<SecretVolume> {
  const path = root ?? (await mkdtemp(join(tmpdir(), 'gws-secret-')));
  await mkdir(path, { recursive: true });
  const volume: SecretVolume = {
    path,
    update: (next) => writeAtomically(path, next),
    remove: () => rm(path, { recursive: true, force: true }),
  };
  await volume.update(keys);
  return volume;
}

async function writeAtomically(root: string, keys: Record<string, string | Buffer>): Promise<void> {
  generation += 1;
  const stamped = `..2026_12_03_16_00_00.${String(process.pid)}${String(generation).padStart(6, '0')}`;
  await mkdir(join(root, stamped), { mode: 0o755 });
  for (const [name, value] of Object.entries(keys)) await writeFile(join(root, stamped, name), value, { mode: 0o644 });

  const previous = await readlink(join(root, '..data')).catch(() => undefined);
  await symlink(stamped, join(root, '..data_tmp'));
  await rename(join(root, '..data_tmp'), join(root, '..data'));

  const visible = (await readdir(root)).filter((name) => !name.startsWith('.'));
  for (const name of Object.keys(keys)) {
    if (!visible.includes(name)) await symlink(join('..data', name), join(root, name));
  }
  for (const name of visible) {
    if (!(name in keys)) await unlink(join(root, name));
  }
  if (previous !== undefined) await rm(join(root, previous), { recursive: true, force: true });
}
