import { mkdirSync } from 'node:fs';
import {
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  UserTokenType,
} from 'node-opcua';
import { endpointProblem, type Wanted } from '../../core/opcua/endpoints';
import { connectCause } from '../../core/opcua/connect-error';
import type {
  EndpointSettings,
  SecurityMode,
  SecurityPolicyName,
} from '../../core/nodes/twin-opcua-endpoint';
import type { Clock } from '../shared/clock';

/** idle -> connecting -> connected | disconnected; connected -> reconnecting -> connected | disconnected. */
export type ConnectionState =
  'idle' | 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'closed';

export interface ConnectionOptions extends Pick<
  EndpointSettings,
  'url' | 'securityMode' | 'securityPolicy' | 'connectTimeout' | 'maxRetryDelay'
> {
  userName?: string;
  password?: string;
  /** Client PKI: own certificate, trusted/ and rejected/ server certificates. */
  pkiFolder: string;
  clock: Clock;
}

/**
 * The client PKI of one endpoint, made once and shared by its connection attempts (a certificate manager per attempt
 * would read the folders and watch them again every 250 ms). Unknown server certificates are rejected until the user
 * trusts them (rejected/ -> trusted/certs/).
 */
export function clientPki(pkiFolder: string): OPCUACertificateManager {
  mkdirSync(pkiFolder, { recursive: true });
  return new OPCUACertificateManager({ rootFolder: pkiFolder, automaticallyAcceptUnknownCertificate: false });
}

/**
 * A client for one connection attempt: one try (the retry loop is the connection's), the endpoint's PKI. Its
 * certificate is made first (a second or more on a busy machine, once), so the connect timeout measures the server.
 */
export async function createClient(
  o: { securityMode: SecurityMode; securityPolicy: SecurityPolicyName },
  certificates: OPCUACertificateManager,
): Promise<OPCUAClient> {
  const client = OPCUAClient.create({
    applicationName: 'TwinFlow',
    endpointMustExist: false, // the path is checked by endpointCheck; the host name may differ (127.0.0.1, localhost)
    securityMode: MessageSecurityMode[o.securityMode],
    securityPolicy: SecurityPolicy[o.securityPolicy],
    connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 1000 },
    keepSessionAlive: true,
    requestedSessionTimeout: 60_000,
    clientCertificateManager: certificates,
  });
  await client.createDefaultCertificate().catch(() => undefined);
  return client;
}

/** What the connected server offers (GetEndpoints) against what the endpoint node asks for; undefined if usable. */
export async function endpointCheck(client: OPCUAClient, wanted: Wanted): Promise<string | undefined> {
  const offered = (await client.getEndpoints()).map((e) => ({
    endpointUrl: e.endpointUrl ?? '',
    securityMode: MessageSecurityMode[e.securityMode],
    securityPolicy: (e.securityPolicyUri ?? '').split('#')[1] ?? 'None',
    userTokens: (e.userIdentityTokens ?? []).map((t) => UserTokenType[t.tokenType]),
  }));
  return endpointProblem(wanted, offered);
}

/**
 * Why a secured endpoint cannot be used, asked over a plain (None) connection: node-opcua's own words for a mode
 * the server does not offer name a number and a URI. Undefined when the server cannot tell.
 */
export async function diagnose(
  wanted: Wanted,
  certificates: OPCUACertificateManager,
): Promise<string | undefined> {
  const probe = OPCUAClient.create({
    endpointMustExist: false,
    connectionStrategy: { maxRetry: 0 },
    clientCertificateManager: certificates,
  });
  try {
    await probe.connect(wanted.url);
    return await endpointCheck(probe, wanted);
  } catch {
    return undefined;
  } finally {
    await probe.disconnect().catch(() => undefined);
  }
}

/** A reason found by us (wrong path, security not offered): shown as is, not interpreted as node-opcua's text. */
export class EndpointProblem extends Error {}

/** The cause of a failed attempt in a user's words. */
export async function explain(
  err: unknown,
  wanted: Wanted,
  timeoutSeconds: number,
  certificates: OPCUACertificateManager,
  pki: string,
): Promise<string> {
  const raw = err instanceof Error ? err.message : String(err);
  if (err instanceof EndpointProblem) return raw;
  // A secured client that finds no matching endpoint says so in node-opcua's terms: ask what there is.
  const problem = /Cannot find an Endpoint matching/i.test(raw)
    ? await diagnose(wanted, certificates)
    : undefined;
  return problem ?? connectCause(raw, timeoutSeconds, pki);
}
