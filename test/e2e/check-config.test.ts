import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { runCli } from '../helpers/binary.js';
import { makeSecretVolume } from '../helpers/secret-volume.js';

describe('check-config', () => {
  test('valid settings and a Secret volume with keys: prints the effective configuration, redacted, and exits 0', async () => {
    const volume = await makeSecretVolume({ current: 'volume-secret-value', previous: 'older-secret-value' });
    try {
      const result = await runCli(['check-config'], {
        WEBHOOK_SECRET_PATH: volume.path,
        GENESYS_WEBHOOK_SECRET: 'inline-secret-value',
        UPSTREAM_URL: 'http://user:app-password@127.0.0.1:3000',
        SIGNATURE_PROFILE: 'open-messaging',
      });
      assert.equal(result.code, 0, result.stderr);
      const report = JSON.parse(result.stdout) as {
        settings: Record<string, unknown>;
        secrets: { keys: string[]; count: number };
      };
      assert.equal(report.settings.profile, 'open-messaging');
      assert.equal(report.settings.inlineSecret, '[redacted]');
      assert.deepEqual(report.secrets.keys, ['current', 'previous', 'GENESYS_WEBHOOK_SECRET']);
      for (const secret of ['volume-secret-value', 'older-secret-value', 'inline-secret-value', 'app-password']) {
        assert.ok(!result.stdout.includes(secret), `${secret} is not printed`);
      }
    } finally {
      await volume.remove();
    }
  });

  test('a secret path without any usable key exits 2', async () => {
    const volume = await makeSecretVolume({ empty: '\n' });
    try {
      const result = await runCli(['check-config'], { WEBHOOK_SECRET_PATH: volume.path });
      assert.equal(result.code, 2);
      assert.match(result.stderr, /no usable webhook secret/);
    } finally {
      await volume.remove();
    }
  });

  test('invalid settings exit 2 naming each, without starting anything', async () => {
    const result = await runCli(['check-config'], { LISTEN_PORT: '0', SHUTDOWN_DELAY_SECONDS: 'soon' });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /LISTEN_PORT=/);
    assert.match(result.stderr, /SHUTDOWN_DELAY_SECONDS=/);
  });
});
