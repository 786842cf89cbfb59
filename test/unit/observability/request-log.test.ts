import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';

import { createLogger } from '../../../src/observability/logger.js';
import { createRequestLog, type RequestFacts } from '../../../src/observability/request-log.js';
import type { Outcome } from '../../../src/webhook/outcome.js';

function capture(level = 'info') {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger(level, stream);
  return { logger, lines, logRequest: createRequestLog(logger) };
}

const facts: RequestFacts = {
  requestId: 'req-1',
  method: 'POST',
  path: '/webhook/genesys',
  status: 200,
  durationMs: 1.23456,
};
const event = { eventId: 'evt-1', eventType: 'v2.users.presence' };

const cases: Array<[string, Outcome, string, string]> = [
  [
    'delivered',
    { kind: 'forwarded', event, status: 200, headers: {}, body: Buffer.alloc(0), enrichment: undefined },
    'info',
    'delivered',
  ],
  [
    'app error',
    { kind: 'forwarded', event, status: 500, headers: {}, body: Buffer.alloc(0), enrichment: 'ok' },
    'error',
    'the app answered 500',
  ],
  ['duplicate', { kind: 'duplicate', event }, 'info', 'duplicate of a delivered event'],
  [
    'rejected',
    { kind: 'rejected', reason: 'invalid_signature', message: 'The signature does not match.' },
    'warn',
    'The signature does not match.',
  ],
  [
    'failed',
    { kind: 'failed', reason: 'enrichment_failed', message: 'Enrichment failed.', event, enrichment: 'failed' },
    'error',
    'Enrichment failed.',
  ],
  ['abandoned', { kind: 'abandoned' }, 'warn', 'the sender went away before its body arrived'],
];

describe('request log', () => {
  for (const [name, outcome, level, message] of cases) {
    it(`writes the ${name} line exactly as pino writes the same fields`, () => {
      const { logger, lines, logRequest } = capture();
      logRequest(outcome, facts);
      const fields = {
        requestId: facts.requestId,
        method: facts.method,
        path: facts.path,
        status: facts.status,
        durationMs: 1.235,
        eventId: 'event' in outcome ? outcome.event?.eventId : undefined,
        eventType: 'event' in outcome ? outcome.event?.eventType : undefined,
        outcome: name === 'app error' ? 'app_error' : name,
        reason: 'reason' in outcome ? outcome.reason : undefined,
        enrichment: 'enrichment' in outcome ? outcome.enrichment : undefined,
      };
      logger[level as 'info'](fields, message);

      assert.equal(lines.length, 2);
      const [ours, pinos] = lines.map((line) => line.replace(/"time":"[^"]+"/, '"time":"T"'));
      assert.equal(ours, pinos);
      assert.equal(JSON.parse(lines[0]!).level, level);
    });
  }

  it('escapes what the sender controls, so one request is always one parseable line', () => {
    const { lines, logRequest } = capture();
    const hostile = 'a"b\\c\nd\u2028e\u0000f";"level":"fatal';
    logRequest({ kind: 'duplicate', event: { eventId: hostile, eventType: '\r\n' } }, { ...facts, requestId: '"x"' });
    assert.equal(lines.length, 1);
    const parsed = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.equal(parsed.eventId, hostile);
    assert.equal(parsed.eventType, '\r\n');
    assert.equal(parsed.requestId, '"x"');
    assert.equal(parsed.level, 'info');
  });

  it('leaves out undefined fields and keeps a valid time', () => {
    const { lines, logRequest } = capture();
    logRequest(
      { kind: 'abandoned' },
      { requestId: 'r', method: undefined, path: undefined, status: undefined, durationMs: 0 },
    );
    const parsed = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.deepEqual(Object.keys(parsed), ['level', 'time', 'name', 'requestId', 'durationMs', 'outcome', 'msg']);
    assert.ok(Math.abs(Date.parse(parsed.time as string) - Date.now()) < 60_000);
  });

  it('writes nothing below the configured level', () => {
    const { lines, logRequest } = capture('warn');
    logRequest({ kind: 'duplicate', event }, facts);
    assert.deepEqual(lines, []);
    logRequest({ kind: 'abandoned' }, facts);
    assert.equal(lines.length, 1);
  });
});
