import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A directory laid out the way the kubelet mounts a Secret volume: the values live in a hidden
 * timestamped directory, `..data` points at it, and each key is a symlink `<key> -> ..data/<key>`.
 */
export async function makeSecretVolume(keys: Record<string, string | Buffer>): Promise<{ path: string; remove(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'gws-secret-'));
  const stamped = '..2026_12_03_16_00_00.000000001';
  await mkdir(join(root, stamped), { mode: 0o755 });
  for (const [name, value] of Object.entries(keys)) {
    await writeFile(join(root, stamped, name), value, { mode: 0o644 });
  }
  await symlink(stamped, join(root, '..data'));
  for (const name of Object.keys(keys)) await symlink(join('..data', name), join(root, name));
  return { path: root, remove: () => rm(root, { recursive: true, force: true }) };
}
