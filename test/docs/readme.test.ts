// The README is the user's reference: its settings and responses tables must say what the code does.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { z } from 'zod';

import { settingsSchema } from '../../src/config.js';
import { STATUS_BY_REASON } from '../../src/webhook/status.js';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

/** The rows of the table between `<!-- name:start … -->` and `<!-- name:end -->`, split into cells. */
function tableRows(name: string): string[][] {
  const start = README.indexOf(`<!-- ${name}:start`);
  const end = README.indexOf(`<!-- ${name}:end -->`);
  assert.ok(start !== -1 && end > start, `README has a ${name} table`);
  return README.slice(start, end)
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .slice(2)
    .map((line) =>
      line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

test('the README settings table lists every setting with the schema type, default and description', () => {
  const schema = z.toJSONSchema(settingsSchema, { io: 'input', unrepresentable: 'any' });
  const properties = schema.properties as Record<
    string,
    { type?: string; enum?: unknown[]; default?: unknown; description?: string }
  >;
  const expected = Object.entries(properties).map(([name, property]) => [
    `\`${name}\``,
    property.enum ? 'enum' : String(property.type),
    property.default === undefined ? '—' : `\`${String(property.default)}\``,
    property.description ?? '',
  ]);
  assert.deepEqual(tableRows('settings'), expected);
});

test('the README responses table gives each reason the status the sidecar sends', () => {
  const documented = new Map<string, number>();
  for (const [, status, reason] of tableRows('responses')) {
    const name = /^`([a-z_]+)`$/.exec(reason ?? '')?.[1];
    if (name) documented.set(name, Number.parseInt(status ?? '', 10));
  }
  assert.deepEqual(Object.fromEntries(documented), STATUS_BY_REASON);
});

test('the README quick start gives exactly the demo and test commands', () => {
  const quickStart = README.slice(README.indexOf('## Quick start'), README.indexOf('## In front of'));
  const commands = /```sh\n([\s\S]*?)```/
    .exec(quickStart)?.[1]
    ?.trim()
    .split('\n')
    .map((line) => line.split('#')[0]!.trim());
  assert.deepEqual(commands, ['npm ci && npm run demo', 'npm test']);
});
