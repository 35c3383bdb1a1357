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
import type { SecurityMode, SecurityPolicyName } from '../../core/nodes/twin-opcua-endpoint';

/**
 * A client for one connection attempt: one try (the retry loop is the connection's), our PKI, no auto-trust. Its
 * certificate is made first (a second or more on a busy machine, once), so the connect timeout measures the server.
 */
export async function createClient(o: {
  securityMode: SecurityMode;
  securityPolicy: SecurityPolicyName;
  pkiFolder: string;
}): Promise<OPCUAClient> {
  mkdirSync(o.pkiFolder, { recursive: true });
  const client = OPCUAClient.create({
    applicationName: 'TwinFlow',
    endpointMustExist: false, // the path is checked by endpointCheck; the host name may differ (127.0.0.1, localhost)
    securityMode: MessageSecurityMode[o.securityMode],
    securityPolicy: SecurityPolicy[o.securityPolicy],
    connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 1000 },
    keepSessionAlive: true,
    requestedSessionTimeout: 60_000,
    clientCertificateManager: new OPCUACertificateManager({
      rootFolder: o.pkiFolder,
      // Unknown server certificates are rejected until the user trusts them (rejected/ -> trusted/certs/).
      automaticallyAcceptUnknownCertificate: false,
    }),
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
export async function diagnose(wanted: Wanted): Promise<string | undefined> {
  const probe = OPCUAClient.create({ endpointMustExist: false, connectionStrategy: { maxRetry: 0 } });
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
  pki: string,
): Promise<string> {
  const raw = err instanceof Error ? err.message : String(err);
  if (err instanceof EndpointProblem) return raw;
  // A secured client that finds no matching endpoint says so in node-opcua's terms: ask what there is.
  const problem = /Cannot find an Endpoint matching/i.test(raw) ? await diagnose(wanted) : undefined;
  return problem ?? connectCause(raw, timeoutSeconds, pki);
}
