import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { collect, type Finished } from '../helpers/binary.js';

// This file compiles to dist/test/demo/; the demo to dist/src/demo/.
const DEMO = fileURLToPath(new URL('../../src/demo/run-demo.js', import.meta.url));

function runDemo(): Promise<Finished> {
  return collect(spawn(process.execPath, [DEMO]));
}

/** Sums every `<metric> <value>` line, across both sidecars. */
function counter(output: string, metric: string): number {
  const escaped = metric.replace(/[{}"]/g, (character) => `\\${character}`);
  const values = [...output.matchAll(new RegExp(`${escaped} (\\d+)$`, 'gm'))].map((match) => Number(match[1]));
  assert.ok(values.length > 0, `no ${metric} line in the output`);
  return values.reduce((sum, value) => sum + value, 0);
}

test('npm run demo: every delivery gets its expected answer, counters shown, exit 0', { timeout: 60_000 }, async () => {
  const { code, stdout, stderr } = await runDemo();
  assert.equal(code, 0, `the demo exited ${code}\n${stdout}\n${stderr}`);

  const expectedRows = [
    '200 from app',
    '200 duplicate',
    '403 invalid_signature',
    '400 malformed_json',
    '413 payload_too_large',
    '400 missing_signature',
    '200 from app',
    '200 duplicate',
  ];
  expectedRows.forEach((answer, index) => {
    // The row's number, then the same answer under "expected" and "got", then the tick.
    const row = new RegExp(`^\\s*${index + 1}\\s.*${answer}\\s+${answer}\\s+✓`, 'm');
    assert.match(stdout, row, `row ${index + 1} should show ${answer} as expected and got`);
  });
  assert.doesNotMatch(stdout, /✗/);
  assert.match(stdout, /The echo app received 2 requests/);

  assert.ok(counter(stdout, 'genesys_webhook_accepted_total') >= 2);
  assert.ok(counter(stdout, 'genesys_webhook_duplicates_total') >= 2);
  for (const reason of ['invalid_signature', 'malformed_json', 'payload_too_large', 'missing_signature']) {
    assert.equal(counter(stdout, `genesys_webhook_rejected_total{reason="${reason}"}`), 1, reason);
  }
  assert.match(stdout, /All 8 requests got the expected answer/);
});
