import { mkdirSync } from 'node:fs';
import {
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  UserTokenType,
} from 'node-opcua';
import { endpointProblem, type Wanted } from '../../core/opcua/endpoints';
import type { SecurityMode, SecurityPolicyName } from '../../core/nodes/twin-opcua-endpoint';

/** A client for one connection attempt: one try (the retry loop is the connection's), our PKI, no auto-trust. */
export function createClient(o: {
  securityMode: SecurityMode;
  securityPolicy: SecurityPolicyName;
  pkiFolder: string;
}): OPCUAClient {
  mkdirSync(o.pkiFolder, { recursive: true });
  return OPCUAClient.create({
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
