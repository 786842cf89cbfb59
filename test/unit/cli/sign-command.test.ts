import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { signCommand, UsageError } from '../../../src/cli/sign-command.js';
import { sign } from '../../../src/signature/sign.js';
import { verifySignature } from '../../../src/signature/verify-signature.js';
import { OPEN_MESSAGING_VECTOR } from '../../helpers/fixtures.js';

// The published Open Messaging vector, read from ../shared beside the repository (compiled: dist/test/unit/cli/).
const OM_FILE = OPEN_MESSAGING_VECTOR.file;
const OM_HEADER = 'X-Hub-Signature-256: sha256=MYcWV7qB29cqJNbccMvhGIBMV2acKLr+rNPMre71wBU=';

const SECRET = 'cli-unit-secret';
const BODY = Buffer.from(`{"id":"evt-1","type":"conversation:updated","data":{"note":"it's"}}`);

let dir = '';
let bodyFile = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gws-sign-'));
  bodyFile = join(dir, 'body.json');
  await writeFile(bodyFile, BODY);
});
after(() => rm(dir, { recursive: true, force: true }));

const NO_ENV: NodeJS.ProcessEnv = {};
const noStdin = (): Buffer => assert.fail('stdin must not be read when a FILE is given');

function run(args: string[], env: NodeJS.ProcessEnv = NO_ENV, stdin: () => Buffer = noStdin): string {
  return signCommand(args, env, stdin);
}

function hex(body: Buffer, secret = SECRET): string {
  return sign(body, secret, { encoding: 'hex', prefixed: false });
}

/** The line the purecloud profile prints: canonicalHeaderName gives X-Purecloud-…, not X-PureCloud-…. */
function purecloudLine(body: Buffer): string {
  return `X-Purecloud-Webhook-Signature: ${hex(body)}`;
}

describe('signCommand output', () => {
  it('prints X-Purecloud-Webhook-Signature with the hex signature for the default purecloud profile', () => {
    assert.equal(run(['--secret', SECRET, bodyFile]), purecloudLine(BODY));
    assert.equal(run(['--profile', 'purecloud', '--secret', SECRET, bodyFile]), purecloudLine(BODY));
  });

  it('prints X-Hub-Signature-256 with a sha256= base64 signature for open-messaging', () => {
    const expected = sign(BODY, SECRET, { encoding: 'base64', prefixed: true });
    const output = run(['--profile', 'open-messaging', '--secret', SECRET, bodyFile]);
    assert.equal(output, `X-Hub-Signature-256: ${expected}`);
  });

  it('prints the published Open Messaging vector for its body and secret', () => {
    assert.equal(run(['--profile', 'open-messaging', '--secret', 'MySecretToken-123', OM_FILE]), OM_HEADER);
  });

  it('prints the custom header exactly as given, with an unprefixed signature in the given encoding', () => {
    const expected = sign(BODY, SECRET, { encoding: 'base64', prefixed: false });
    const args = ['--profile', 'custom', '--header', 'X-Acme-Signature', '--encoding', 'base64', '--secret', SECRET];
    args.push(bodyFile);
    const output = run(args);
    assert.equal(output, `X-Acme-Signature: ${expected}`);
  });

  it('lets --header and --encoding override a built-in profile', () => {
    const expected = sign(BODY, SECRET, { encoding: 'base64', prefixed: false });
    const output = run(['--header', 'x-other-sig', '--encoding', 'base64', '--secret', SECRET, bodyFile]);
    assert.equal(output, `x-other-sig: ${expected}`);
  });

  it('prints a signature that verifySignature accepts under the same secret', () => {
    for (const profile of ['purecloud', 'open-messaging']) {
      const encoding = profile === 'purecloud' ? 'hex' : 'base64';
      const value = run(['--profile', profile, '--secret', SECRET, bodyFile]).split(': ')[1]!;
      assert.equal(verifySignature(BODY, value, encoding, [Buffer.from(SECRET)]), true, profile);
    }
  });

  it('signs stdin when FILE is absent or "-"', () => {
    const stdin = (): Buffer => BODY;
    assert.equal(run(['--secret', SECRET], NO_ENV, stdin), purecloudLine(BODY));
    assert.equal(run(['--secret', SECRET, '-'], NO_ENV, stdin), purecloudLine(BODY));
  });

  it("signs the file's exact bytes, a trailing newline included", async () => {
    const withNewline = join(dir, 'newline.json');
    await writeFile(withNewline, Buffer.concat([BODY, Buffer.from('\n')]));
    assert.equal(run(['--secret', SECRET, withNewline]), purecloudLine(readFileSync(withNewline)));
    assert.notEqual(run(['--secret', SECRET, withNewline]), run(['--secret', SECRET, bodyFile]));
  });
});

describe('signCommand secrets', () => {
  it('reads --secret-file and trims its trailing CR/LF', async () => {
    const secretFile = join(dir, 'secret');
    await writeFile(secretFile, `${SECRET}\r\n`);
    assert.equal(run(['--secret-file', secretFile, bodyFile]), purecloudLine(BODY));
  });

  it('falls back to GENESYS_WEBHOOK_SECRET without --secret or --secret-file', () => {
    assert.equal(run([bodyFile], { GENESYS_WEBHOOK_SECRET: SECRET }), purecloudLine(BODY));
  });

  it('prefers --secret over GENESYS_WEBHOOK_SECRET', () => {
    assert.equal(run(['--secret', SECRET, bodyFile], { GENESYS_WEBHOOK_SECRET: 'other' }), purecloudLine(BODY));
  });
});

describe('signCommand usage errors', () => {
  function usageError(args: string[], pattern: RegExp, env: NodeJS.ProcessEnv = NO_ENV): void {
    const isUsage = (error: unknown): boolean => error instanceof UsageError && pattern.test(error.message);
    assert.throws(() => run(args, env, () => BODY), isUsage);
  }

  it('refuses the custom profile without --header or without --encoding', () => {
    usageError(['--profile', 'custom', '--encoding', 'hex', '--secret', SECRET, bodyFile], /--header and --encoding/);
    usageError(['--profile', 'custom', '--header', 'X-Sig', '--secret', SECRET, bodyFile], /--header and --encoding/);
  });

  it('refuses --secret and --secret-file together', () => {
    usageError(['--secret', SECRET, '--secret-file', bodyFile, bodyFile], /not both/);
  });

  it('refuses to sign without any secret', () => {
    usageError([bodyFile], /no secret/);
    usageError([bodyFile], /no secret/, { GENESYS_WEBHOOK_SECRET: '' });
    usageError(['--secret', '\n', bodyFile], /no secret/);
  });

  it('refuses an unknown profile and an unknown encoding', () => {
    const profiles = /--profile must be one of purecloud, open-messaging, custom/;
    usageError(['--profile', 'github', '--secret', SECRET, bodyFile], profiles);
    usageError(['--encoding', 'base32', '--secret', SECRET, bodyFile], /--encoding must be hex or base64/);
  });

  it('refuses more than one FILE', () => {
    usageError(['--secret', SECRET, bodyFile, bodyFile], /at most one FILE/);
  });

  it('throws a parse-args error, which main reports as usage, for an unknown option', () => {
    assert.throws(
      () => run(['--secrit', SECRET, bodyFile]),
      (error: unknown) => (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true,
    );
  });
});

describe('signCommand --curl', () => {
  /** Runs the printed command in bash with curl replaced by a function that prints its arguments, one per line. */
  function curlArguments(command: string): string[] {
    const shell = spawnSync('bash', ['-c', `curl() { printf '%s\\0' "$@"; }\n${command}`], { encoding: 'utf8' });
    assert.equal(shell.status, 0, shell.stderr);
    return shell.stdout.split('\0').slice(0, -1);
  }

  it('prints a command holding the URL, the signature header and the body file', () => {
    const url = 'http://127.0.0.1:8080/webhook/genesys';
    const output = run(['--secret', SECRET, '--curl', url, bodyFile]);
    assert.ok(output.includes(url));
    assert.ok(output.includes(purecloudLine(BODY)));
    assert.ok(output.includes(`@${bodyFile}`));
  });

  it('quotes every argument so that bash passes the URL, the headers and @FILE through unchanged', () => {
    const url = "http://127.0.0.1:8080/webhook/genesys?a=1&b='2'";
    const args = curlArguments(run(['--secret', SECRET, '--curl', url, bodyFile]));
    assert.deepEqual(args, [
      '-sS',
      '-X',
      'POST',
      url,
      '-H',
      'Content-Type: application/json',
      '-H',
      purecloudLine(BODY),
      '--data-binary',
      `@${bodyFile}`,
    ]);
  });

  it('puts a body read from stdin in the command, single quotes and all, exactly as signed', () => {
    const args = ['--profile', 'open-messaging', '--secret', SECRET, '--curl', 'http://localhost/x'];
    const output = run(args, NO_ENV, () => BODY);
    const passed = curlArguments(output);
    assert.equal(passed.at(-1), BODY.toString('utf8'));
    assert.equal(passed[7], `X-Hub-Signature-256: ${sign(BODY, SECRET, { encoding: 'base64', prefixed: true })}`);
  });
});
