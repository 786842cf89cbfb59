import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { PROFILE_NAMES, resolveProfile, type ProfileName } from '../signature/profiles.js';
import { sign } from '../signature/sign.js';
import type { SignatureEncoding } from '../signature/verify-signature.js';
import { trimSecret } from '../secrets/read-secret-path.js';

export const SIGN_USAGE = `genesys-webhook-sidecar sign [options] [FILE]

Prints the signature header a sender would put on the body in FILE (or stdin when FILE is "-" or absent).

  --profile NAME       purecloud (default), open-messaging or custom
  --secret VALUE       the webhook secret (visible in your shell history; prefer the next two)
  --secret-file PATH   read the secret from a file (trailing CR/LF trimmed)
                       without either, GENESYS_WEBHOOK_SECRET is used
  --header NAME        signature header (default: the profile's; required for custom)
  --encoding ENC       hex or base64 (default: the profile's; required for custom)
  --curl URL           print a ready-to-paste curl command that posts the body to URL`;

export class UsageError extends Error {}

/** Returns what to print on stdout; throws UsageError for wrong arguments. */
export function signCommand(args: string[], env: NodeJS.ProcessEnv, readStdin: () => Buffer): string {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      profile: { type: 'string', default: 'purecloud' },
      secret: { type: 'string' },
      'secret-file': { type: 'string' },
      header: { type: 'string' },
      encoding: { type: 'string' },
      curl: { type: 'string' },
    },
  });

  const profileName = values.profile as ProfileName;
  if (!PROFILE_NAMES.includes(profileName))
    throw new UsageError(`--profile must be one of ${PROFILE_NAMES.join(', ')}`);
  if (values.encoding !== undefined && values.encoding !== 'hex' && values.encoding !== 'base64') {
    throw new UsageError('--encoding must be hex or base64');
  }
  if (profileName === 'custom' && (!values.header || !values.encoding)) {
    throw new UsageError('--profile custom needs --header and --encoding');
  }
  if (positionals.length > 1) throw new UsageError('give at most one FILE');

  const secret = readSecret(values.secret, values['secret-file'], env);
  const file = positionals[0];
  const body = file === undefined || file === '-' ? readStdin() : readFileSync(file);
  const profile = resolveProfile(profileName, {
    header: values.header,
    encoding: values.encoding as SignatureEncoding | undefined,
  });
  const headerName = values.header ?? canonicalHeaderName(profile.header);
  const signature = sign(body, secret, { encoding: profile.encoding, prefixed: profile.prefixed });
  const header = `${headerName}: ${signature}`;
  if (values.curl === undefined) return header;

  const data = file === undefined || file === '-' ? shellQuote(body.toString('utf8')) : shellQuote(`@${file}`);
  return [
    `curl -sS -X POST ${shellQuote(values.curl)} \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -H ${shellQuote(header)} \\`,
    `  --data-binary ${data}`,
  ].join('\n');
}

function readSecret(inline: string | undefined, file: string | undefined, env: NodeJS.ProcessEnv): Buffer {
  if (inline !== undefined && file !== undefined) throw new UsageError('give --secret or --secret-file, not both');
  const secret =
    inline !== undefined
      ? Buffer.from(inline, 'utf8')
      : file !== undefined
        ? readFileSync(file)
        : Buffer.from(env.GENESYS_WEBHOOK_SECRET ?? '', 'utf8');
  const trimmed = trimSecret(secret);
  if (trimmed.length === 0) throw new UsageError('no secret: give --secret, --secret-file or GENESYS_WEBHOOK_SECRET');
  return trimmed;
}

/** `x-hub-signature-256` → `X-Hub-Signature-256`, as senders write it. */
function canonicalHeaderName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase());
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
