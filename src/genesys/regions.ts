/**
 * Genesys Cloud's regions: the domain behind `login.` and `api.`, keyed by the AWS region it runs in, as
 * the official platform SDKs list them.
 */
export const GENESYS_REGIONS: Readonly<Record<string, string>> = {
  'us-east-1': 'mypurecloud.com',
  'us-east-2': 'use2.us-gov-pure.cloud',
  'us-west-2': 'usw2.pure.cloud',
  'ca-central-1': 'cac1.pure.cloud',
  'sa-east-1': 'sae1.pure.cloud',
  'mx-central-1': 'mxc1.pure.cloud',
  'eu-west-1': 'mypurecloud.ie',
  'eu-west-2': 'euw2.pure.cloud',
  'eu-central-1': 'mypurecloud.de',
  'eu-central-2': 'euc2.pure.cloud',
  'eusc-de-east-1': 'edee1.eusc-pure.cloud',
  'me-central-1': 'mec1.pure.cloud',
  'ap-south-1': 'aps1.pure.cloud',
  'ap-southeast-1': 'apse1.pure.cloud',
  'ap-southeast-2': 'mypurecloud.com.au',
  'ap-northeast-1': 'mypurecloud.jp',
  'ap-northeast-2': 'apne2.pure.cloud',
  'ap-northeast-3': 'apne3.pure.cloud',
};

const DOMAINS = new Set(Object.values(GENESYS_REGIONS));

/** The Genesys domain for a domain or an AWS region name, or undefined when it is neither. */
export function regionDomain(region: string): string | undefined {
  const name = region.trim().toLowerCase();
  return DOMAINS.has(name) ? name : GENESYS_REGIONS[name];
}

export interface GenesysHosts {
  loginUrl: URL;
  apiUrl: URL;
}

/** `https://login.{domain}` and `https://api.{domain}`. */
export function hostsFor(domain: string): GenesysHosts {
  return { loginUrl: new URL(`https://login.${domain}`), apiUrl: new URL(`https://api.${domain}`) };
}
