import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { LogSink } from '../../../src/observability/log-sink.js';

const flushed = (sink: LogSink) => new Promise<void>((resolve) => sink.flush(() => resolve()));
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('LogSink', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'log-sink-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes every line, in order, and calls flush back once they are written', async () => {
    const file = path.join(dir, 'ordered.log');
    const stream = createWriteStream(file);
    const sink = new LogSink(stream);
    const expected: string[] = [];
    for (let turn = 0; turn < 50; turn++) {
      for (let i = 0; i < 40; i++) {
        const line = `{"n":${turn * 40 + i}}\n`;
        expected.push(line);
        sink.write(line);
      }
      await nextTurn();
    }
    await flushed(sink);
    assert.equal(readFileSync(file, 'utf8'), expected.join(''));
    stream.end();
  });

  it('hands lines over in batches: within 50 ms, or at the end of the turn once 16 KiB gather', async () => {
    const writes: string[] = [];
    const sink = new LogSink({ write: (text: string) => writes.push(text) > 0, writableLength: 0 });
    sink.write('{"a":1}\n');
    sink.write('{"b":2}\n');
    await nextTurn();
    assert.deepEqual(writes, []);
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.deepEqual(writes, ['{"a":1}\n{"b":2}\n']);

    const big = `{"pad":"${'x'.repeat(16 * 1024)}"}\n`;
    sink.write('{"c":3}\n');
    sink.write(big);
    await nextTurn();
    assert.deepEqual(writes.slice(1), [`{"c":3}\n${big}`]);

    sink.write('{"d":4}\n');
    sink.flushSync();
    assert.deepEqual(writes.slice(2), ['{"d":4}\n']);
  });

  it('bounds what waits for a stalled reader, drops the rest and says how many once it can write again', async () => {
    // A FIFO opened read-write never blocks on open; with nobody reading, its 64 KiB fill and writes stall.
    const fifo = path.join(dir, 'stalled.fifo');
    execFileSync('mkfifo', [fifo]);
    const stream = createWriteStream('', { fd: openSync(fifo, 'r+') });
    const sink = new LogSink(stream);
    const line = `{"pad":"${'x'.repeat(1000)}"}\n`;
    const sent = 10_000; // about 10 MB: past the 8 MiB bound
    for (let i = 0; i < sent; i++) {
      sink.write(line);
      if (i % 100 === 99) await nextTurn();
    }
    assert.ok(stream.writableLength > 8 * 1024 * 1024, 'the stream should be holding lines back');

    const reader = await open(fifo, 'r');
    let text = '';
    const reading = (async () => {
      const buffer = Buffer.alloc(1 << 16);
      while (!text.endsWith('{"last":true}\n')) {
        const { bytesRead } = await reader.read(buffer, 0, buffer.length, null);
        text += buffer.subarray(0, bytesRead).toString('utf8');
      }
    })();
    while (stream.writableLength > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    sink.write('{"last":true}\n');
    await flushed(sink);
    await reading;
    await reader.close();
    stream.destroy();

    const lines = text.trimEnd().split('\n');
    const notice = JSON.parse(lines.at(-2)!) as { level: string; dropped: number };
    assert.equal(notice.level, 'warn');
    const written = lines.length - 2;
    assert.ok(written > 8_000 && written < sent, `${written} of ${sent} lines written`);
    assert.equal(notice.dropped, sent - written);
  });
});
