import { z } from 'zod';

import {
  enrichmentProblems,
  enrichmentSettings,
  toEnrichmentConfig,
  type EnrichmentConfig,
} from './genesys/enrichment-settings.js';
import { PROFILE_NAMES, type ProfileName } from './signature/profiles.js';

// Values whose every byte counts: only trailing CR/LF are trimmed from a secret, as from a secret file.
const VERBATIM = new Set(['GENESYS_WEBHOOK_SECRET', 'GENESYS_CLIENT_SECRET']);
/** Never shown in a problem message or the effective settings. */
const SECRET_SETTINGS = VERBATIM;

// Helm charts and shells often render an unset value as an empty string; treat it as unset.
function withoutEmptyValues(env: NodeJS.ProcessEnv): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') result[name] = VERBATIM.has(name) ? value : value.trim();
  }
  return result;
}

const port = z.coerce.number().int().min(1).max(65535);
const positiveInt = z.coerce.number().int().min(1);

const webhookPaths = z.string().transform((value, ctx) => {
  const paths = value
    .split(',')
    .map((path) => path.trim())
    .filter(Boolean);
  for (const path of paths) {
    if (!/^\/[^\s?#]*$/.test(path)) {
      ctx.addIssue({
        code: 'custom',
        message: `${JSON.stringify(path)} must start with "/" and hold no spaces, "?" or "#"`,
      });
    }
  }
  if (paths.length === 0) ctx.addIssue({ code: 'custom', message: 'at least one path is needed' });
  return paths;
});

/**
 * Every setting, its default and its meaning. The README's settings table is checked against this schema
 * by a test, so the description here is the documentation.
 */
export const settingsSchema = z.object({
  LISTEN_HOST: z.string().default('0.0.0.0').describe('Address both ports listen on.'),
  LISTEN_PORT: port.default(8080).describe('The webhook port: the one Genesys Cloud reaches through your Service.'),
  ADMIN_PORT: port.default(9090).describe('Port for `/metrics`, `/livez` and `/readyz`; never the webhook port.'),
  UPSTREAM_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .default('http://127.0.0.1:3000')
    .describe('The app. The request path and query are appended to it as they came in.'),
  WEBHOOK_PATHS: webhookPaths
    .prefault('/webhook/genesys')
    .describe('Comma-separated paths that accept webhooks; any other path gets 404.'),
  SIGNATURE_PROFILE: z
    .enum(PROFILE_NAMES)
    .default('purecloud')
    .describe('Which sender convention to verify: `purecloud`, `open-messaging` or `custom` (see Profiles).'),
  SIGNATURE_HEADER: z
    .string()
    .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be a valid HTTP header name')
    .optional()
    .describe("Overrides the profile's signature header; required for `custom`."),
  SIGNATURE_ENCODING: z
    .enum(['hex', 'base64'])
    .optional()
    .describe("Overrides the profile's signature encoding (`hex` or `base64`); required for `custom`."),
  WEBHOOK_SECRET_PATH: z
    .string()
    .default('/etc/genesys-webhook-sidecar/secrets')
    .describe('A mounted Secret directory (every key is an accepted secret) or a single file.'),
  SECRET_SOURCE: z
    .enum(['file', 'kubernetes'])
    .default('file')
    .describe(
      'Where secrets come from: `file` (WEBHOOK_SECRET_PATH) or `kubernetes` (watch SECRET_NAME through the API).',
    ),
  SECRET_NAME: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a Kubernetes object name')
    .optional()
    .describe('The Secret to watch when SECRET_SOURCE=kubernetes; every key of it is an accepted secret.'),
  SECRET_NAMESPACE: z
    .string()
    .optional()
    .describe(
      "The Secret's namespace when SECRET_SOURCE=kubernetes; defaults to the pod's own (from its service account).",
    ),
  SECRET_RESCAN_SECONDS: positiveInt
    .max(3600)
    .default(10)
    .describe('How often WEBHOOK_SECRET_PATH is re-read even without a change event (events miss on some volumes).'),
  SECRET_GRACE_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(86_400)
    .default(0)
    .describe('How long a secret that a reload removed is still accepted.'),
  GENESYS_WEBHOOK_SECRET: z
    .string()
    .optional()
    .describe('An inline secret for local development, accepted alongside those from the path.'),
  MAX_BODY_BYTES: positiveInt
    .max(64 * 1024 * 1024)
    .default(1048576)
    .describe(
      'Larger bodies get 413: a declared Content-Length is refused up front, a chunked body as soon as it passes. At most 64 MiB.',
    ),
  UPSTREAM_TIMEOUT_MS: positiveInt
    // Genesys Cloud waits 10 s for an answer; ours must come before that or Genesys counts a timeout.
    .max(9500, 'must stay under the 10 s that Genesys Cloud waits for an answer')
    .default(8000)
    .describe(
      'How long the app may take to answer before the sender gets 504; never more than what is left of the 9 s each request has.',
    ),
  DEDUPE_TTL_SECONDS: positiveInt.default(86400).describe('How long a delivered event is remembered.'),
  DEDUPE_MAX_ENTRIES: positiveInt
    // Each remembered event costs a few hundred bytes; ten million is already gigabytes.
    .max(10_000_000)
    .default(100000)
    .describe(
      'How many delivered events are remembered at most (least recently seen forgotten first). At most 10,000,000.',
    ),
  MAX_EVENT_AGE_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('Reject events whose own timestamp is older than this (a replay window); 0 turns it off.'),
  SHUTDOWN_DELAY_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(300)
    .default(5)
    .describe(
      'After SIGTERM, keep serving this long (while `/readyz` says 503) so endpoints and load balancers drain.',
    ),
  SHUTDOWN_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(600_000)
    .default(20000)
    .describe('Then how long requests in flight may take to finish before their connections are cut.'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('pino log level: `fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`.'),
  ...enrichmentSettings,
});

export type Settings = z.output<typeof settingsSchema>;

export interface Config {
  listenHost: string;
  listenPort: number;
  adminPort: number;
  upstreamUrl: URL;
  webhookPaths: ReadonlySet<string>;
  profile: ProfileName;
  signatureHeader: string | undefined;
  signatureEncoding: 'hex' | 'base64' | undefined;
  secretSource: 'file' | 'kubernetes';
  webhookSecretPath: string;
  secretName: string | undefined;
  secretNamespace: string | undefined;
  secretRescanSeconds: number;
  secretGraceSeconds: number;
  inlineSecret: string | undefined;
  maxBodyBytes: number;
  upstreamTimeoutMs: number;
  dedupeTtlSeconds: number;
  dedupeMaxEntries: number;
  maxEventAgeSeconds: number;
  shutdownDelaySeconds: number;
  shutdownTimeoutMs: number;
  logLevel: Settings['LOG_LEVEL'];
  /** Undefined when ENRICH_EVENT_TYPES is unset: no event is enriched. */
  enrichment: EnrichmentConfig | undefined;
}

/** The start-up message for invalid settings: one line per problem. */
export function describeProblems(problems: string[]): string {
  return `genesys-webhook-sidecar: invalid settings\n${problems.map((problem) => `  - ${problem}`).join('\n')}\n`;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/** Parses the environment into a Config, or lists every problem at once. */
export function loadConfig(env: NodeJS.ProcessEnv): ConfigResult {
  const raw = withoutEmptyValues(env);
  const parsed = settingsSchema.safeParse(raw);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => describeIssue(issue, raw));
  problems.push(...crossSettingProblems(raw));
  if (!parsed.success || problems.length > 0) return { ok: false, problems };

  const settings = parsed.data;
  return {
    ok: true,
    config: {
      listenHost: settings.LISTEN_HOST,
      listenPort: settings.LISTEN_PORT,
      adminPort: settings.ADMIN_PORT,
      upstreamUrl: new URL(settings.UPSTREAM_URL),
      webhookPaths: new Set(settings.WEBHOOK_PATHS),
      profile: settings.SIGNATURE_PROFILE,
      signatureHeader: settings.SIGNATURE_HEADER?.toLowerCase(),
      signatureEncoding: settings.SIGNATURE_ENCODING,
      secretSource: settings.SECRET_SOURCE,
      webhookSecretPath: settings.WEBHOOK_SECRET_PATH,
      secretName: settings.SECRET_NAME,
      secretNamespace: settings.SECRET_NAMESPACE,
      secretRescanSeconds: settings.SECRET_RESCAN_SECONDS,
      secretGraceSeconds: settings.SECRET_GRACE_SECONDS,
      inlineSecret: settings.GENESYS_WEBHOOK_SECRET,
      maxBodyBytes: settings.MAX_BODY_BYTES,
      upstreamTimeoutMs: settings.UPSTREAM_TIMEOUT_MS,
      dedupeTtlSeconds: settings.DEDUPE_TTL_SECONDS,
      dedupeMaxEntries: settings.DEDUPE_MAX_ENTRIES,
      maxEventAgeSeconds: settings.MAX_EVENT_AGE_SECONDS,
      shutdownDelaySeconds: settings.SHUTDOWN_DELAY_SECONDS,
      shutdownTimeoutMs: settings.SHUTDOWN_TIMEOUT_MS,
      logLevel: settings.LOG_LEVEL,
      enrichment: toEnrichmentConfig(settings),
    },
  };
}

function describeIssue(issue: z.core.$ZodIssue, raw: Record<string, string>): string {
  const name = String(issue.path[0] ?? 'settings');
  const given = raw[name];
  const shown = given === undefined ? '' : `=${SECRET_SETTINGS.has(name) ? '[redacted]' : JSON.stringify(given)}`;
  return `${name}${shown}: ${issue.message}`;
}

// Checked on the raw values so that they are reported even when another setting is also wrong.
function crossSettingProblems(raw: Record<string, string>): string[] {
  const problems: string[] = [];
  if (raw.SIGNATURE_PROFILE === 'custom') {
    if (!raw.SIGNATURE_HEADER) problems.push('SIGNATURE_HEADER: required when SIGNATURE_PROFILE=custom');
    if (!raw.SIGNATURE_ENCODING) problems.push('SIGNATURE_ENCODING: required when SIGNATURE_PROFILE=custom');
  }
  if (raw.SECRET_SOURCE === 'kubernetes' && !raw.SECRET_NAME) {
    problems.push('SECRET_NAME: required when SECRET_SOURCE=kubernetes');
  }
  if (raw.REDIS_URL) {
    problems.push(
      'REDIS_URL: dedupe shared through Redis is not available in this version; unset it (each replica dedupes its own deliveries)',
    );
  }
  problems.push(...enrichmentProblems(raw));
  if (Number(raw.LISTEN_PORT ?? 8080) === Number(raw.ADMIN_PORT ?? 9090)) {
    problems.push('ADMIN_PORT: must differ from LISTEN_PORT, so that metrics never share the webhook port');
  }
  return problems;
}
