import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { LogSink } from '../../../src/observability/log-sink.js';

const flushed = (sink: LogSink) => new Promise<void>((resolve) => sink.flush(() => resolve()));

describe('LogSink', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'log-sink-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes every line, in order, and calls flush back once they are written', async () => {
    const file = path.join(dir, 'ordered.log');
    const fd = openSync(file, 'w');
    const sink = new LogSink(fd);
    const expected: string[] = [];
    for (let turn = 0; turn < 50; turn++) {
      for (let i = 0; i < 40; i++) {
        const line = `{"n":${turn * 40 + i}}\n`;
        expected.push(line);
        sink.write(line);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await flushed(sink);
    closeSync(fd);
    assert.equal(readFileSync(file, 'utf8'), expected.join(''));
  });

  it('flushSync writes what is queued at once', () => {
    const file = path.join(dir, 'sync.log');
    const fd = openSync(file, 'w');
    const sink = new LogSink(fd);
    sink.write('{"last":"words"}\n');
    sink.flushSync();
    closeSync(fd);
    assert.equal(readFileSync(file, 'utf8'), '{"last":"words"}\n');
  });

  it('bounds what waits for a stalled reader, drops the rest and says how many once it can write again', async () => {
    // A FIFO opened read-write never blocks on open; with nobody reading, its 64 KiB fill and the write stalls.
    const fifo = path.join(dir, 'stalled.fifo');
    execFileSync('mkfifo', [fifo]);
    const fd = openSync(fifo, 'r+');
    const sink = new LogSink(fd);
    const line = `{"pad":"${'x'.repeat(1000)}"}\n`;
    for (let i = 0; i < 100; i++) sink.write(line);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the first write is now stuck in the kernel
    for (let i = 0; i < 10_000; i++) sink.write(line); // ~10 MB more: past the 8 MiB bound

    const reader = await open(fifo, 'r');
    let text = '';
    const reading = (async () => {
      const buffer = Buffer.alloc(1 << 16);
      while (!text.includes('log lines dropped')) {
        const { bytesRead } = await reader.read(buffer, 0, buffer.length, null);
        text += buffer.subarray(0, bytesRead).toString('utf8');
      }
    })();
    await flushed(sink);
    await reading;
    await reader.close();
    closeSync(fd);

    const lines = text.trimEnd().split('\n');
    const notice = JSON.parse(lines.at(-1)!) as { level: string; dropped: number };
    assert.equal(notice.level, 'warn');
    const written = lines.length - 1;
    assert.ok(written < 10_100 && written > 8_000, `${written} lines written`);
    assert.equal(notice.dropped, 10_100 - written);
  });
});
