import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { loadConfig, type Config } from '../../src/config.js';

function config(env: NodeJS.ProcessEnv): Config {
  const result = loadConfig(env);
  assert.ok(result.ok, `expected valid settings, got ${result.ok ? '' : result.problems.join('; ')}`);
  return result.config;
}

function problems(env: NodeJS.ProcessEnv): string[] {
  const result = loadConfig(env);
  assert.ok(!result.ok, 'expected the settings to be refused');
  return result.problems;
}

function named(list: string[], setting: string): string[] {
  return list.filter((problem) => problem.startsWith(setting));
}

describe('loadConfig defaults', () => {
  it('gives every documented default for an empty environment', () => {
    const result = config({});
    assert.equal(result.listenHost, '0.0.0.0');
    assert.equal(result.listenPort, 8080);
    assert.equal(result.adminPort, 9090);
    assert.equal(result.upstreamUrl.href, 'http://127.0.0.1:3000/');
    assert.deepEqual([...result.webhookPaths], ['/webhook/genesys']);
    assert.equal(result.profile, 'purecloud');
    assert.equal(result.signatureHeader, undefined);
    assert.equal(result.signatureEncoding, undefined);
    assert.equal(result.webhookSecretPath, '/etc/genesys-webhook-sidecar/secrets');
    assert.equal(result.secretSource, 'file');
    assert.equal(result.secretName, undefined);
    assert.equal(result.secretNamespace, undefined);
    assert.equal(result.secretRescanSeconds, 10);
    assert.equal(result.secretGraceSeconds, 0);
    assert.equal(result.inlineSecret, undefined);
    assert.equal(result.maxBodyBytes, 1048576);
    assert.equal(result.upstreamTimeoutMs, 8000);
    assert.equal(result.dedupeTtlSeconds, 86400);
    assert.equal(result.dedupeMaxEntries, 100000);
    assert.equal(result.maxEventAgeSeconds, 0);
    assert.equal(result.logLevel, 'info');
  });

  it('treats empty and blank values as unset, as Helm renders an unset value', () => {
    const result = config({
      LISTEN_PORT: '',
      ADMIN_PORT: '  ',
      UPSTREAM_URL: '',
      WEBHOOK_PATHS: '',
      SIGNATURE_PROFILE: '',
      GENESYS_WEBHOOK_SECRET: '',
      MAX_BODY_BYTES: '',
      LOG_LEVEL: ' ',
    });
    assert.equal(result.listenPort, 8080);
    assert.equal(result.adminPort, 9090);
    assert.equal(result.upstreamUrl.href, 'http://127.0.0.1:3000/');
    assert.deepEqual([...result.webhookPaths], ['/webhook/genesys']);
    assert.equal(result.profile, 'purecloud');
    assert.equal(result.inlineSecret, undefined);
    assert.equal(result.maxBodyBytes, 1048576);
    assert.equal(result.logLevel, 'info');
  });

  it('ignores variables that are not settings', () => {
    assert.equal(config({ PATH: '/usr/bin', HOME: '/root', UNRELATED: 'x' }).listenPort, 8080);
  });
});

describe('loadConfig values', () => {
  it('reads numbers, the profile and an upstream URL with a path', () => {
    const result = config({
      LISTEN_HOST: '127.0.0.1',
      LISTEN_PORT: '18080',
      ADMIN_PORT: '19090',
      UPSTREAM_URL: 'https://app.internal:8443/base',
      SIGNATURE_PROFILE: 'open-messaging',
      MAX_BODY_BYTES: '2048',
      UPSTREAM_TIMEOUT_MS: '9500',
      DEDUPE_TTL_SECONDS: '60',
      DEDUPE_MAX_ENTRIES: '10',
      MAX_EVENT_AGE_SECONDS: '300',
      LOG_LEVEL: 'debug',
    });
    assert.equal(result.listenHost, '127.0.0.1');
    assert.equal(result.listenPort, 18080);
    assert.equal(result.adminPort, 19090);
    assert.equal(result.upstreamUrl.origin, 'https://app.internal:8443');
    assert.equal(result.upstreamUrl.pathname, '/base');
    assert.equal(result.profile, 'open-messaging');
    assert.equal(result.maxBodyBytes, 2048);
    assert.equal(result.upstreamTimeoutMs, 9500);
    assert.equal(result.dedupeTtlSeconds, 60);
    assert.equal(result.dedupeMaxEntries, 10);
    assert.equal(result.maxEventAgeSeconds, 300);
    assert.equal(result.logLevel, 'debug');
  });

  it('trims surrounding whitespace from a number', () => {
    assert.equal(config({ LISTEN_PORT: ' 18080 ' }).listenPort, 18080);
  });

  it('parses a comma-separated WEBHOOK_PATHS list, trimming entries and dropping empty ones', () => {
    const result = config({ WEBHOOK_PATHS: '/webhook/genesys, /hooks/om ,,/a/b/c' });
    assert.deepEqual([...result.webhookPaths].sort(), ['/a/b/c', '/hooks/om', '/webhook/genesys']);
  });

  it('accepts a custom profile with its header and encoding, and lower-cases the header', () => {
    const result = config({
      SIGNATURE_PROFILE: 'custom',
      SIGNATURE_HEADER: 'X-Acme-Signature',
      SIGNATURE_ENCODING: 'base64',
    });
    assert.equal(result.profile, 'custom');
    assert.equal(result.signatureHeader, 'x-acme-signature');
    assert.equal(result.signatureEncoding, 'base64');
  });

  it('keeps the inline secret for the secret loader', () => {
    assert.equal(config({ GENESYS_WEBHOOK_SECRET: 's3cret-value' }).inlineSecret, 's3cret-value');
  });
});

describe('loadConfig problems', () => {
  it('reports a bad UPSTREAM_URL and an out-of-range LISTEN_PORT together', () => {
    const list = problems({ UPSTREAM_URL: 'not a url', LISTEN_PORT: '99999' });
    assert.equal(named(list, 'UPSTREAM_URL').length, 1);
    assert.equal(named(list, 'LISTEN_PORT').length, 1);
  });

  it('names every bad setting at once, each with the value given', () => {
    const env = {
      LISTEN_PORT: '0',
      ADMIN_PORT: 'admin',
      UPSTREAM_URL: 'ftp://app/',
      SIGNATURE_PROFILE: 'github',
      SIGNATURE_HEADER: 'bad header',
      SIGNATURE_ENCODING: 'base32',
      MAX_BODY_BYTES: '-1',
      UPSTREAM_TIMEOUT_MS: '1.5',
      DEDUPE_TTL_SECONDS: '0',
      DEDUPE_MAX_ENTRIES: 'many',
      MAX_EVENT_AGE_SECONDS: '-5',
      LOG_LEVEL: 'verbose',
    };
    const list = problems(env);
    for (const [name, value] of Object.entries(env)) {
      const found = named(list, `${name}=`);
      assert.ok(found.length > 0, `${name} not reported in ${JSON.stringify(list)}`);
      assert.ok(found[0]!.includes(JSON.stringify(value)), `${name} problem does not show ${value}`);
    }
  });

  it('refuses an upstream URL that is not http or https', () => {
    assert.equal(named(problems({ UPSTREAM_URL: 'ftp://app.internal/' }), 'UPSTREAM_URL').length, 1);
  });

  it('reports a custom profile without SIGNATURE_HEADER and SIGNATURE_ENCODING, naming both', () => {
    const list = problems({ SIGNATURE_PROFILE: 'custom' });
    assert.equal(named(list, 'SIGNATURE_HEADER').length, 1);
    assert.equal(named(list, 'SIGNATURE_ENCODING').length, 1);
  });

  it('reports a custom profile without SIGNATURE_ENCODING alone when the header is given', () => {
    const list = problems({ SIGNATURE_PROFILE: 'custom', SIGNATURE_HEADER: 'X-Sig' });
    assert.deepEqual(named(list, 'SIGNATURE_HEADER'), []);
    assert.equal(named(list, 'SIGNATURE_ENCODING').length, 1);
  });

  it('reports a custom profile without a header even when another setting is also wrong', () => {
    const list = problems({ SIGNATURE_PROFILE: 'custom', SIGNATURE_ENCODING: 'hex', LISTEN_PORT: 'x' });
    assert.equal(named(list, 'SIGNATURE_HEADER').length, 1);
    assert.equal(named(list, 'LISTEN_PORT').length, 1);
  });

  it('reports ADMIN_PORT equal to LISTEN_PORT, given explicitly or by default', () => {
    assert.equal(named(problems({ LISTEN_PORT: '7000', ADMIN_PORT: '7000' }), 'ADMIN_PORT').length, 1);
    assert.equal(named(problems({ LISTEN_PORT: '9090' }), 'ADMIN_PORT').length, 1);
    assert.equal(named(problems({ ADMIN_PORT: '8080' }), 'ADMIN_PORT').length, 1);
  });

  it('reports UPSTREAM_TIMEOUT_MS over 9500, under the 10 s Genesys waits', () => {
    const found = named(problems({ UPSTREAM_TIMEOUT_MS: '9501' }), 'UPSTREAM_TIMEOUT_MS');
    assert.equal(found.length, 1);
    assert.match(found[0]!, /10 s/);
    assert.equal(named(problems({ UPSTREAM_TIMEOUT_MS: '10000' }), 'UPSTREAM_TIMEOUT_MS').length, 1);
  });

  it('reports DEDUPE_MAX_ENTRIES over ten million and MAX_BODY_BYTES over 64 MiB', () => {
    const list = problems({ DEDUPE_MAX_ENTRIES: '10000001', MAX_BODY_BYTES: String(64 * 1024 * 1024 + 1) });
    assert.equal(named(list, 'DEDUPE_MAX_ENTRIES').length, 1);
    assert.equal(named(list, 'MAX_BODY_BYTES').length, 1);
    assert.ok(config({ DEDUPE_MAX_ENTRIES: '10000000', MAX_BODY_BYTES: String(64 * 1024 * 1024) }));
  });

  it('reports a WEBHOOK_PATHS entry without a leading slash, naming the entry', () => {
    const list = problems({ WEBHOOK_PATHS: '/webhook/genesys,webhook/other' });
    const found = named(list, 'WEBHOOK_PATHS');
    assert.equal(found.length, 1);
    assert.match(found[0]!, /"webhook\/other"/);
  });

  it('reports WEBHOOK_PATHS entries holding a query, a fragment or a space', () => {
    for (const value of ['/a?x=1', '/a#top', '/a b']) {
      assert.ok(named(problems({ WEBHOOK_PATHS: value }), 'WEBHOOK_PATHS').length > 0, value);
    }
  });

  it('reports a WEBHOOK_PATHS of commas only as holding no path', () => {
    assert.equal(named(problems({ WEBHOOK_PATHS: ' , ,' }), 'WEBHOOK_PATHS').length, 1);
  });

  it('never shows GENESYS_WEBHOOK_SECRET in a problem, whatever else is wrong', () => {
    const secret = 'hunter2-do-not-print-me';
    const list = problems({
      GENESYS_WEBHOOK_SECRET: secret,
      SIGNATURE_PROFILE: 'custom',
      UPSTREAM_URL: 'nope',
      LISTEN_PORT: '-1',
    });
    assert.ok(list.length >= 4, JSON.stringify(list));
    for (const problem of list) assert.equal(problem.includes(secret), false, problem);
  });
});

describe('loadConfig secrets', () => {
  it('keeps spaces inside GENESYS_WEBHOOK_SECRET, since every byte of a secret counts', () => {
    assert.equal(config({ GENESYS_WEBHOOK_SECRET: ' abc ' }).inlineSecret, ' abc ');
  });

  it('requires SECRET_NAME when SECRET_SOURCE=kubernetes, alongside other problems', () => {
    const list = problems({ SECRET_SOURCE: 'kubernetes', SECRET_GRACE_SECONDS: '-1' });
    assert.equal(named(list, 'SECRET_NAME').length, 1);
    assert.equal(named(list, 'SECRET_GRACE_SECONDS').length, 1);
  });
});
