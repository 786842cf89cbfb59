import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { loadConfig } from '../../../src/config.js';
import { GENESYS_REGIONS, regionDomain } from '../../../src/genesys/regions.js';
import { patternToRegExp } from '../../../src/genesys/enrichment-settings.js';

const CREDENTIALS = { GENESYS_CLIENT_ID: 'id', GENESYS_CLIENT_SECRET: 'secret' };

function problemsOf(env: Record<string, string>): string[] {
  const result = loadConfig(env);
  return result.ok ? [] : result.problems;
}

describe('enrichment settings', () => {
  test('enrichment is off without ENRICH_EVENT_TYPES, whatever else is set', () => {
    const result = loadConfig({ GENESYS_REGION: 'eu-west-1' });
    assert.ok(result.ok);
    assert.equal(result.config.enrichment, undefined);
  });

  test('every one of the 18 regions resolves by AWS name and by domain to login. and api. hosts', () => {
    assert.equal(Object.keys(GENESYS_REGIONS).length, 18);
    for (const [awsRegion, domain] of Object.entries(GENESYS_REGIONS)) {
      for (const given of [awsRegion, domain, awsRegion.toUpperCase()]) {
        const result = loadConfig({ ENRICH_EVENT_TYPES: 'conversation:*', GENESYS_REGION: given, ...CREDENTIALS });
        assert.ok(result.ok, given);
        assert.equal(result.config.enrichment?.loginUrl.href, `https://login.${domain}/`);
        assert.equal(result.config.enrichment?.apiUrl.href, `https://api.${domain}/`);
      }
    }
    assert.equal(regionDomain('mypurecloud.ie'), 'mypurecloud.ie');
    assert.equal(regionDomain('eu-west-3'), undefined);
  });

  test('GENESYS_LOGIN_URL and GENESYS_API_URL override the region one by one', () => {
    const result = loadConfig({
      ENRICH_EVENT_TYPES: 'x',
      GENESYS_REGION: 'mypurecloud.de',
      GENESYS_API_URL: 'http://egress.internal:8080/genesys',
      ...CREDENTIALS,
    });
    assert.ok(result.ok);
    assert.equal(result.config.enrichment?.apiUrl.href, 'http://egress.internal:8080/genesys');
    assert.equal(result.config.enrichment?.loginUrl.href, 'https://login.mypurecloud.de/');
  });

  test('invalid combinations are all reported at start, without showing the client secret', () => {
    const problems = problemsOf({
      ENRICH_EVENT_TYPES: 'conversation:*',
      GENESYS_REGION: 'mars-north-1',
      GENESYS_CLIENT_SECRET: 'top-secret-value',
      GENESYS_CLIENT_SECRET_FILE: '/var/run/secret',
      ENRICH_FAILURE: 'retry',
    });
    assert.ok(problems.some((problem) => problem.startsWith('GENESYS_REGION=')));
    assert.ok(problems.some((problem) => problem.startsWith('GENESYS_CLIENT_ID:')));
    assert.ok(problems.some((problem) => problem.includes('GENESYS_CLIENT_SECRET_FILE, not both')));
    assert.ok(problems.some((problem) => problem.startsWith('ENRICH_FAILURE=')));
    assert.ok(!problems.join('\n').includes('top-secret-value'));
  });

  test('without a region both URLs are required', () => {
    const problems = problemsOf({ ENRICH_EVENT_TYPES: 'x', GENESYS_API_URL: 'http://127.0.0.1:1', ...CREDENTIALS });
    assert.ok(problems.some((problem) => problem.startsWith('GENESYS_REGION:')));
  });

  test('event type patterns match whole types, with * for any run of characters and nothing else special', () => {
    assert.ok(patternToRegExp('conversation:*').test('conversation:updated'));
    assert.ok(!patternToRegExp('conversation:*').test('v2.conversation:updated'));
    assert.ok(patternToRegExp('*.calls').test('v2.users.1.calls'));
    assert.ok(patternToRegExp('a.b').test('a.b'));
    assert.ok(!patternToRegExp('a.b').test('axb'), 'a dot is a dot');
  });
});
