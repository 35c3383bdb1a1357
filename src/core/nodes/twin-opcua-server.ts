import { SECURITY_MODES, SECURITY_POLICIES } from './twin-opcua-endpoint';
import { latestVersion, type Migration } from './migrate';

/** twin-opcua-server: twins exposed as an OPC UA server (the demo's PLC). */
export interface ServerSettings {
  name: string;
  port: number;
  /** Address to listen on: 127.0.0.1 unless told otherwise; 0.0.0.0 (every interface) only by explicit choice. */
  host: string;
  resourcePath: string;
  /** Namespace URI of the twins' nodes. */
  namespace: string;
  /** Optional twin-model: types, units, limits, writability. */
  model: string;
  /** Comma-separated: None, Sign, SignAndEncrypt. */
  securityModes: string;
  /** Comma-separated policy names (None, Basic256Sha256, Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss). */
  securityPolicies: string;
  allowAnonymous: boolean;
  /** Comma-separated user names that may write ("anonymous" for anonymous sessions); "*": everyone who connects. */
  writers: string;
  version: number;
}

export interface ServerConfig extends Omit<ServerSettings, 'securityModes' | 'securityPolicies' | 'writers'> {
  securityModes: string[];
  securityPolicies: string[];
  /** undefined: everyone may write (what the model allows). */
  writers?: string[];
}

export const DEFAULTS: Omit<ServerSettings, 'version'> = {
  name: '',
  port: 4840,
  host: '127.0.0.1',
  resourcePath: '/UA/TwinFlow',
  namespace: 'urn:twinflow:twins',
  model: '',
  securityModes: 'None,SignAndEncrypt',
  securityPolicies: 'None,Basic256Sha256',
  allowAnonymous: true,
  writers: '*',
};

export const MIGRATIONS: readonly Migration<ServerSettings>[] = [
  {
    to: 1,
    up: (c) => ({
      port: 4840,
      host: '127.0.0.1',
      resourcePath: '/UA/TwinFlow',
      namespace: 'urn:twinflow:twins',
      model: '',
      ...c,
    }),
  },
  // 2: security is a setting. Flows of version 1 keep what they had (None, anonymous, everyone writes), except
  // that a blank host, which bound every interface, now means loopback: every interface is an explicit 0.0.0.0.
  {
    to: 2,
    up: (c) => ({
      securityModes: 'None',
      securityPolicies: 'None',
      allowAnonymous: true,
      writers: '*',
      ...c,
      host: typeof c.host === 'string' && c.host.trim() !== '' ? c.host.trim() : '127.0.0.1',
    }),
  },
];

export const VERSION = latestVersion(MIGRATIONS);

const list = (value: unknown): string[] =>
  String(value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function parse(input: object): { config: ServerConfig } | { errors: string[] } {
  const settings = input as Record<string, unknown>;
  const errors: string[] = [];
  const port = Number(settings.port ?? DEFAULTS.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    errors.push('port must be a whole number from 0 to 65535');
  const host = String(settings.host ?? '').trim() || DEFAULTS.host;
  const securityModes = list(settings.securityModes ?? DEFAULTS.securityModes);
  const securityPolicies = list(settings.securityPolicies ?? DEFAULTS.securityPolicies);
  for (const m of securityModes)
    if (!(SECURITY_MODES as readonly string[]).includes(m)) errors.push(`unknown security mode ${m}`);
  for (const p of securityPolicies)
    if (!(SECURITY_POLICIES as readonly string[]).includes(p)) errors.push(`unknown security policy ${p}`);
  if (securityModes.length === 0) errors.push('at least one security mode is needed');
  if (securityModes.includes('None') !== securityPolicies.includes('None'))
    errors.push('security mode None and policy None go together');
  if (securityModes.some((m) => m !== 'None') && !securityPolicies.some((p) => p !== 'None'))
    errors.push('Sign and SignAndEncrypt need a policy other than None');
  const namespace = String(settings.namespace ?? '').trim();
  if (!namespace) errors.push('the namespace URI must not be empty');
  const writers = list(settings.writers ?? '*');
  if (errors.length) return { errors };
  return {
    config: {
      name: String(settings.name ?? ''),
      port,
      host,
      resourcePath: String(settings.resourcePath ?? DEFAULTS.resourcePath),
      namespace,
      model: String(settings.model ?? ''),
      securityModes,
      securityPolicies,
      allowAnonymous: settings.allowAnonymous !== false && settings.allowAnonymous !== 'false',
      writers: writers.includes('*') ? undefined : writers,
      version: Number(settings.version) || VERSION,
    },
  };
}
