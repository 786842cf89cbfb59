import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { loadSecrets } from '../../../src/secrets/load-secrets.js';
import { makeSecretVolume } from '../../helpers/secret-volume.js';

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups) await cleanup();
});

async function volume(keys: Record<string, string>): Promise<string> {
  const made = await makeSecretVolume(keys);
  cleanups.push(made.remove);
  return made.path;
}

async function missingPath(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gws-unit-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'not-mounted');
}

function named(keys: Array<{ name: string; value: Buffer }>): Array<[string, string]> {
  return keys.map((key) => [key.name, key.value.toString('utf8')]);
}

describe('loadSecrets', () => {
  it('gives the keys of the mounted path when there is no inline secret', async () => {
    const path = await volume({ current: 'one', next: 'two' });
    const loaded = await loadSecrets({ webhookSecretPath: path, inlineSecret: undefined });
    assert.deepEqual(named(loaded.keys), [['current', 'one'], ['next', 'two']]);
    assert.deepEqual(loaded.problems, []);
  });

  it('accepts the inline secret alongside the mounted ones, named GENESYS_WEBHOOK_SECRET', async () => {
    const loaded = await loadSecrets({ webhookSecretPath: await volume({ current: 'one' }), inlineSecret: 'inline' });
    assert.deepEqual(named(loaded.keys), [['current', 'one'], ['GENESYS_WEBHOOK_SECRET', 'inline']]);
  });

  it('trims trailing CR/LF from the inline secret', async () => {
    const loaded = await loadSecrets({ webhookSecretPath: await missingPath(), inlineSecret: 'inline\r\n' });
    assert.deepEqual(named(loaded.keys), [['GENESYS_WEBHOOK_SECRET', 'inline']]);
  });

  it('does not report a missing path when the inline secret is there, as in local development', async () => {
    const loaded = await loadSecrets({ webhookSecretPath: await missingPath(), inlineSecret: 'inline' });
    assert.equal(loaded.keys.length, 1);
    assert.deepEqual(loaded.problems, []);
  });

  it('reports a missing path when there is no inline secret', async () => {
    const path = await missingPath();
    const loaded = await loadSecrets({ webhookSecretPath: path, inlineSecret: undefined });
    assert.deepEqual(loaded.keys, []);
    assert.deepEqual(loaded.problems, [`${path}: does not exist`]);
  });

  it('ignores an inline secret of line breaks only and still reports the missing path', async () => {
    const path = await missingPath();
    const loaded = await loadSecrets({ webhookSecretPath: path, inlineSecret: '\n' });
    assert.deepEqual(loaded.keys, []);
    assert.deepEqual(loaded.problems, [`${path}: does not exist`]);
  });

  it('takes the inline secret as UTF-8 bytes', async () => {
    const loaded = await loadSecrets({ webhookSecretPath: await missingPath(), inlineSecret: 'sécret' });
    assert.deepEqual(loaded.keys[0]?.value, Buffer.from('sécret', 'utf8'));
  });
});
