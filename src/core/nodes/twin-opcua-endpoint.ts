import { latestVersion, type Migration } from './migrate';

/** twin-opcua-endpoint: one OPC UA server connection, shared by every node that uses it. */
export const SECURITY_MODES = ['None', 'Sign', 'SignAndEncrypt'] as const;
export const SECURITY_POLICIES = [
  'None',
  'Basic256Sha256',
  'Aes128_Sha256_RsaOaep',
  'Aes256_Sha256_RsaPss',
] as const;
export type SecurityMode = (typeof SECURITY_MODES)[number];
export type SecurityPolicyName = (typeof SECURITY_POLICIES)[number];

export interface EndpointSettings {
  name: string;
  url: string;
  securityMode: SecurityMode;
  securityPolicy: SecurityPolicyName;
  /** Seconds a connection attempt may take before it counts as failed (a listener that never answers). */
  connectTimeout: number;
  /** Seconds: the longest wait between retries while the server stays away. */
  maxRetryDelay: number;
  version: number;
}

export const DEFAULTS: Omit<EndpointSettings, 'version'> = {
  name: '',
  url: 'opc.tcp://127.0.0.1:4840',
  securityMode: 'None',
  securityPolicy: 'None',
  connectTimeout: 5,
  maxRetryDelay: 10,
};

export const MIGRATIONS: readonly Migration<EndpointSettings>[] = [
  {
    to: 1,
    up: (c) => ({ url: DEFAULTS.url, securityMode: 'None', securityPolicy: 'None', ...c }),
  },
  // 2: connection errors became errors; the connect timeout and the retry cap are settings.
  { to: 2, up: (c) => ({ connectTimeout: 5, maxRetryDelay: 10, ...c }) },
];

export const VERSION = latestVersion(MIGRATIONS);

export const URL_PATTERN = /^opc\.tcp:\/\/[^\s/]+(:\d+)?(\/.*)?$/;

export function parse(input: object): { config: EndpointSettings } | { errors: string[] } {
  const settings = input as Record<string, unknown>;
  const errors: string[] = [];
  const url = String(settings.url ?? '').trim();
  if (!URL_PATTERN.test(url)) errors.push('url must look like opc.tcp://host:port/path');
  const securityMode = String(settings.securityMode ?? 'None') as SecurityMode;
  if (!SECURITY_MODES.includes(securityMode))
    errors.push(`securityMode must be one of ${SECURITY_MODES.join(', ')}`);
  const securityPolicy = String(settings.securityPolicy ?? 'None') as SecurityPolicyName;
  if (!SECURITY_POLICIES.includes(securityPolicy))
    errors.push(`securityPolicy must be one of ${SECURITY_POLICIES.join(', ')}`);
  if ((securityMode === 'None') !== (securityPolicy === 'None'))
    errors.push('securityMode and securityPolicy must both be None, or neither');
  const seconds = (key: string, min: number, max: number): number => {
    const n = Number(settings[key] ?? DEFAULTS[key as 'connectTimeout']);
    if (!Number.isFinite(n) || n < min || n > max)
      errors.push(`${key} must be between ${min} and ${max} seconds`);
    return n;
  };
  const connectTimeout = seconds('connectTimeout', 0.1, 600);
  const maxRetryDelay = seconds('maxRetryDelay', 1, 3600);
  if (errors.length) return { errors };
  return {
    config: {
      name: String(settings.name ?? ''),
      url,
      securityMode,
      securityPolicy,
      connectTimeout,
      maxRetryDelay,
      version: Number(settings.version) || VERSION,
    },
  };
}
