import { z } from 'zod';

import { hostsFor, regionDomain } from './regions.js';

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

/** The enrichment part of the settings schema; config.ts spreads it into the one schema. */
export const enrichmentSettings = {
  ENRICH_EVENT_TYPES: z
    .string()
    .optional()
    .describe(
      'Comma-separated event types to enrich, `*` matching any run of characters (e.g. `conversation:*`); unset: off.',
    ),
  ENRICH_FAILURE: z
    .enum(['forward', 'reject'])
    .default('forward')
    .describe('When enrichment fails: `forward` unenriched, or `reject` with 503 so that Genesys retries later.'),
  ENRICH_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1)
    // Genesys Cloud waits 10 s in all; the forward to the app needs its share of that.
    .max(5000)
    .default(1500)
    .describe('The most that enrichment (token, API call and retries together) may take of a request.'),
  GENESYS_REGION: z
    .string()
    .refine(
      (value) => regionDomain(value) !== undefined,
      'must be a Genesys Cloud domain (mypurecloud.ie) or AWS region (eu-west-1)',
    )
    .optional()
    .describe('Your Genesys Cloud region, as its domain (`mypurecloud.ie`) or AWS region name (`eu-west-1`).'),
  GENESYS_LOGIN_URL: httpUrl
    .optional()
    .describe('Overrides the login host the region implies (egress proxies, tests).'),
  GENESYS_API_URL: httpUrl.optional().describe('Overrides the API host the region implies (egress proxies, tests).'),
  GENESYS_CLIENT_ID: z.string().optional().describe('OAuth client id (client credentials grant).'),
  GENESYS_CLIENT_ID_FILE: z.string().optional().describe('A file holding the client id, re-read for every new token.'),
  GENESYS_CLIENT_SECRET: z.string().optional().describe('OAuth client secret; prefer the file form.'),
  GENESYS_CLIENT_SECRET_FILE: z
    .string()
    .optional()
    .describe('A file holding the client secret, re-read for every new token.'),
};

export interface EnrichmentConfig {
  /** ENRICH_EVENT_TYPES as given, one pattern each. */
  eventTypes: string[];
  failureMode: 'forward' | 'reject';
  timeoutMs: number;
  loginUrl: URL;
  apiUrl: URL;
  clientId: { value?: string; file?: string };
  clientSecret: { value?: string; file?: string };
}

type EnrichmentSettings = z.output<z.ZodObject<typeof enrichmentSettings>>;

export function eventTypePatterns(list: string | undefined): string[] {
  return (list ?? '')
    .split(',')
    .map((pattern) => pattern.trim())
    .filter(Boolean);
}

/** A glob pattern as an anchored regular expression; `*` matches any run of characters, nothing else is special. */
export function patternToRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
}

/** The enrichment config, or undefined when ENRICH_EVENT_TYPES turns it off. Call only on valid settings. */
export function toEnrichmentConfig(settings: EnrichmentSettings): EnrichmentConfig | undefined {
  const eventTypes = eventTypePatterns(settings.ENRICH_EVENT_TYPES);
  if (eventTypes.length === 0) return undefined;
  const domain = settings.GENESYS_REGION === undefined ? undefined : regionDomain(settings.GENESYS_REGION);
  const hosts = domain === undefined ? undefined : hostsFor(domain);
  return {
    eventTypes,
    failureMode: settings.ENRICH_FAILURE,
    timeoutMs: settings.ENRICH_TIMEOUT_MS,
    loginUrl: settings.GENESYS_LOGIN_URL ? new URL(settings.GENESYS_LOGIN_URL) : hosts!.loginUrl,
    apiUrl: settings.GENESYS_API_URL ? new URL(settings.GENESYS_API_URL) : hosts!.apiUrl,
    clientId: { value: settings.GENESYS_CLIENT_ID, file: settings.GENESYS_CLIENT_ID_FILE },
    clientSecret: { value: settings.GENESYS_CLIENT_SECRET, file: settings.GENESYS_CLIENT_SECRET_FILE },
  };
}

/** Combinations that each setting alone cannot reject; checked on raw values so all are reported together. */
export function enrichmentProblems(raw: Record<string, string>): string[] {
  if (eventTypePatterns(raw.ENRICH_EVENT_TYPES).length === 0) return [];
  const problems: string[] = [];
  if (!raw.GENESYS_REGION && !(raw.GENESYS_LOGIN_URL && raw.GENESYS_API_URL)) {
    problems.push('GENESYS_REGION: required for enrichment unless both GENESYS_LOGIN_URL and GENESYS_API_URL are set');
  }
  for (const name of ['GENESYS_CLIENT_ID', 'GENESYS_CLIENT_SECRET']) {
    const inline = raw[name] !== undefined;
    const file = raw[`${name}_FILE`] !== undefined;
    if (inline && file) problems.push(`${name}: give ${name} or ${name}_FILE, not both`);
    if (!inline && !file) problems.push(`${name}: ${name} or ${name}_FILE is required for enrichment`);
  }
  return problems;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
