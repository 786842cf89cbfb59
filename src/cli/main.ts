#!/usr/bin/env node
import { readFileSync } from 'node:fs';

import { checkConfig } from './check-config.js';
import { run } from './run.js';
import { SIGN_USAGE, signCommand, UsageError } from './sign-command.js';

const USAGE = `genesys-webhook-sidecar [command]

Commands:
  (none)        run the sidecar; every setting comes from environment variables (see the README)
  sign          print the signature header for a body (see: genesys-webhook-sidecar sign --help)
  check-config  validate the settings and read the secrets once, print the effective configuration
                (secrets redacted) and exit 0, or 2 naming every problem; starts no server

Options:
  -h, --help     show this help
  -v, --version  show the version`;

function version(): string {
  const manifest = new URL('../../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

async function main(args: string[]): Promise<number | undefined> {
  const [command, ...rest] = args;
  if (command === undefined) return run(process.env);
  if (command === '-h' || command === '--help') return print(USAGE);
  if (command === '-v' || command === '--version') return print(version());
  if (command === 'check-config') return checkConfig(process.env);
  if (command === 'sign') {
    if (rest.includes('-h') || rest.includes('--help')) return print(SIGN_USAGE);
    try {
      return print(signCommand(rest, process.env, () => readFileSync(0)));
    } catch (error) {
      if (!(error instanceof UsageError) && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') !== true) {
        throw error;
      }
      process.stderr.write(`genesys-webhook-sidecar sign: ${(error as Error).message}\n\n${SIGN_USAGE}\n`);
      return 2;
    }
  }
  process.stderr.write(`genesys-webhook-sidecar: unknown command ${JSON.stringify(command)}\n\n${USAGE}\n`);
  return 2;
}

function print(text: string): number {
  process.stdout.write(`${text}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`genesys-webhook-sidecar: ${error instanceof Error ? error.message : String(error)}\n`);
    // Exit now: a half-started sidecar (one port listening, a watch open) must not linger without its handlers.
    process.exit(1);
  },
);
