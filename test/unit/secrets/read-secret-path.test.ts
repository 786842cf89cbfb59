import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { readSecretPath, trimSecret } from '../../../src/secrets/read-secret-path.js';
import { makeSecretVolume } from '../../helpers/secret-volume.js';

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups) await cleanup();
});

async function volume(keys: Record<string, string | Buffer>): Promise<string> {
  const made = await makeSecretVolume(keys);
  cleanups.push(made.remove);
  return made.path;
}

async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gws-unit-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function values(reading: { keys: Array<{ name: string; value: Buffer }> }): Record<string, string> {
  return Object.fromEntries(reading.keys.map((key) => [key.name, key.value.toString('utf8')]));
}

describe('trimSecret', () => {
  it('removes every trailing CR and LF and nothing else', () => {
    assert.equal(trimSecret(Buffer.from('secret\r\n\n\r')).toString(), 'secret');
    assert.equal(trimSecret(Buffer.from('\nsecret')).toString(), '\nsecret');
    assert.equal(trimSecret(Buffer.from('sec\nret')).toString(), 'sec\nret');
    assert.equal(trimSecret(Buffer.from('secret \t')).toString(), 'secret \t');
  });

  it('gives an empty buffer for a value of line breaks only', () => {
    assert.equal(trimSecret(Buffer.from('\r\n\n')).length, 0);
  });
});

describe('readSecretPath', () => {
  it('reads every key of a kubelet-style Secret volume through its symlinks', async () => {
    const path = await volume({ current: 'secret-one', next: 'secret-two' });
    const reading = await readSecretPath(path);
    assert.deepEqual(values(reading), { current: 'secret-one', next: 'secret-two' });
    assert.deepEqual(reading.problems, []);
  });

  it('skips the hidden ..data and ..<timestamp> entries of the volume', async () => {
    const reading = await readSecretPath(await volume({ only: 'secret' }));
    assert.deepEqual(
      reading.keys.map((key) => key.name),
      ['only'],
    );
  });

  it('lists keys in name order', async () => {
    const reading = await readSecretPath(await volume({ zeta: 'z', alpha: 'a', mid: 'm' }));
    assert.deepEqual(
      reading.keys.map((key) => key.name),
      ['alpha', 'mid', 'zeta'],
    );
  });

  it('trims trailing CR/LF from each value, as written by an editor or echo', async () => {
    const path = await volume({ unix: 'secret-a\n', windows: 'secret-b\r\n', bare: 'secret-c' });
    const reading = await readSecretPath(path);
    assert.deepEqual(values(reading), { bare: 'secret-c', unix: 'secret-a', windows: 'secret-b' });
  });

  it('keeps the exact bytes of a binary value', async () => {
    const binary = Buffer.from([0x00, 0xff, 0x20, 0x7f, 0x80]);
    const reading = await readSecretPath(await volume({ binary }));
    assert.deepEqual(reading.keys[0]?.value, binary);
  });

  it('ignores an empty key and one of line breaks only, naming each in problems', async () => {
    const reading = await readSecretPath(await volume({ empty: '', newline: '\r\n', good: 'secret' }));
    assert.deepEqual(values(reading), { good: 'secret' });
    assert.equal(reading.problems.length, 2);
    assert.ok(reading.problems.some((problem) => problem.includes('empty') && problem.endsWith('empty, ignored')));
    assert.ok(reading.problems.some((problem) => problem.includes('newline')));
  });

  it('ignores dotfiles in a directory', async () => {
    const dir = await scratch();
    await writeFile(join(dir, '.hidden'), 'not-a-secret');
    await writeFile(join(dir, '.gitkeep'), '');
    await writeFile(join(dir, 'visible'), 'secret');
    const reading = await readSecretPath(dir);
    assert.deepEqual(values(reading), { visible: 'secret' });
    assert.deepEqual(reading.problems, []);
  });

  it('reads a single file path as one key named after the file, trimmed', async () => {
    const dir = await scratch();
    const file = join(dir, 'webhook-secret');
    await writeFile(file, 'single-secret\n');
    const reading = await readSecretPath(file);
    assert.deepEqual(values(reading), { 'webhook-secret': 'single-secret' });
    assert.deepEqual(reading.problems, []);
  });

  it('reports a single empty file and gives no key', async () => {
    const dir = await scratch();
    const file = join(dir, 'webhook-secret');
    await writeFile(file, '\n');
    const reading = await readSecretPath(file);
    assert.deepEqual(reading.keys, []);
    assert.equal(reading.problems.length, 1);
    assert.ok(reading.problems[0]!.startsWith(file));
  });

  it('reports a missing path as not existing and gives no key', async () => {
    const missing = join(await scratch(), 'no-such-dir');
    const reading = await readSecretPath(missing);
    assert.deepEqual(reading.keys, []);
    assert.deepEqual(reading.problems, [`${missing}: does not exist`]);
  });

  it('gives no keys and no problems for an empty directory', async () => {
    const reading = await readSecretPath(await scratch());
    assert.deepEqual(reading, { keys: [], problems: [] });
  });

  // The tests run as root, for whom chmod 000 does not stop a read; a dangling symlink and a key that is a
  // directory are the unreadable entries root still meets.
  it('reports a key whose symlink dangles and still reads the other keys', async () => {
    const path = await volume({ good: 'secret' });
    await symlink(join('..data', 'gone'), join(path, 'dangling'));
    const reading = await readSecretPath(path);
    assert.deepEqual(values(reading), { good: 'secret' });
    assert.deepEqual(reading.problems, [`${join(path, 'dangling')}: does not exist`]);
  });

  it('skips a key that is a directory and still reads the other keys', async () => {
    const dir = await scratch();
    await mkdir(join(dir, 'nested'));
    await writeFile(join(dir, 'nested', 'inner'), 'not-a-top-level-secret');
    await writeFile(join(dir, 'good'), 'secret');
    const reading = await readSecretPath(dir);
    assert.deepEqual(values(reading), { good: 'secret' });
  });

  const skip = process.getuid?.() === 0 && 'root reads chmod 000 files';
  it('reports a file it may not read as permission denied', { skip }, async () => {
    const dir = await scratch();
    await writeFile(join(dir, 'locked'), 'secret');
    await chmod(join(dir, 'locked'), 0o000);
    const reading = await readSecretPath(dir);
    assert.deepEqual(reading.keys, []);
    assert.deepEqual(reading.problems, [`${join(dir, 'locked')}: permission denied`]);
  });

  it('never puts a secret value in a problem', async () => {
    const path = await volume({ good: 'value-that-must-not-leak', empty: '' });
    await symlink(join('..data', 'gone'), join(path, 'dangling'));
    const reading = await readSecretPath(path);
    assert.ok(reading.problems.length >= 2);
    for (const problem of reading.problems) assert.equal(problem.includes('value-that-must-not-leak'), false, problem);
  });
});
