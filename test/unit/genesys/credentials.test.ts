import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { CredentialError, readClientCredentials } from '../../../src/genesys/credentials.js';

describe('readClientCredentials', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gws-genesys-credentials-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const file = async (name: string, content: string) => {
    const path = join(dir, name);
    await writeFile(path, content);
    return path;
  };

  it('takes inline values as they are', async () => {
    assert.deepEqual(await readClientCredentials({ value: 'id-1' }, { value: 'secret 1 ' }), {
      clientId: 'id-1',
      clientSecret: 'secret 1 ',
    });
  });

  it('reads files without the trailing CR/LF that editors and echo add', async () => {
    const id = await file('id', 'id-2\n');
    const secret = await file('secret', 'secret-2\r\n');
    assert.deepEqual(await readClientCredentials({ file: id }, { file: secret }), {
      clientId: 'id-2',
      clientSecret: 'secret-2',
    });
  });

  it('reads the file again on every call, so a rotated secret is used at once', async () => {
    const secret = await file('rotating', 'before');
    assert.equal((await readClientCredentials({ value: 'id' }, { file: secret })).clientSecret, 'before');
    await writeFile(secret, 'after\n');
    assert.equal((await readClientCredentials({ value: 'id' }, { file: secret })).clientSecret, 'after');
  });

  it('refuses an empty file, naming the file but not its content', async () => {
    const empty = await file('empty', '\r\n');
    await assert.rejects(readClientCredentials({ value: 'id' }, { file: empty }), {
      name: 'CredentialError',
      message: `the client secret file ${empty} is empty`,
    });
  });

  it('refuses a missing file with the reason', async () => {
    const missing = join(dir, 'missing');
    await assert.rejects(readClientCredentials({ file: missing }, { value: 's' }), {
      message: `the client id file ${missing} could not be read (ENOENT)`,
    });
  });

  it('refuses a credential that is unset, empty, or given both ways', async () => {
    const secret = await file('both', 'x');
    await assert.rejects(readClientCredentials({}, { value: 's' }), /the client id is not set/);
    await assert.rejects(readClientCredentials({ value: 'id' }, { value: '' }), /the client secret is not set/);
    await assert.rejects(
      readClientCredentials({ value: 'id' }, { value: 's', file: secret }),
      /the client secret is given both inline and as a file/,
    );
  });

  it('refuses a client id with a colon, which HTTP Basic authentication cannot carry', async () => {
    await assert.rejects(readClientCredentials({ value: 'a:b' }, { value: 's' }), CredentialError);
  });
});
