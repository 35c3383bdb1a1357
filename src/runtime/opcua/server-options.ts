import { join } from 'node:path';
import {
  makeRoles,
  MessageSecurityMode,
  OPCUACertificateManager,
  SecurityPolicy,
  type OPCUAServerOptions,
} from 'node-opcua';
import type { ServerConfig } from '../../core/nodes/twin-opcua-server';

/** Users from the credential store: one `name:password` per line. */
export function parseUsers(text: string | undefined): Map<string, string> {
  const users = new Map<string, string>();
  for (const line of (text ?? '').split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0) users.set(line.slice(0, at).trim(), line.slice(at + 1));
  }
  return users;
}

/**
 * node-opcua server options from the node's settings: its security modes and policies, anonymous on or off, users
 * with their passwords (writers get the Operator role, which writable variables require when writers are listed),
 * and its own PKI folder: clients' certificates land in rejected/ until the user moves them to trusted/certs/.
 */
export function serverOptions(
  config: ServerConfig,
  users: Map<string, string>,
  pki: string,
): OPCUAServerOptions {
  const every = config.host === '0.0.0.0' || config.host === '::';
  return {
    port: config.port,
    host: every ? undefined : config.host,
    hostname: every ? undefined : config.host,
    resourcePath: config.resourcePath,
    securityModes: config.securityModes.map(
      (m) => MessageSecurityMode[m as keyof typeof MessageSecurityMode],
    ),
    securityPolicies: config.securityPolicies.map((p) => SecurityPolicy[p as keyof typeof SecurityPolicy]),
    allowAnonymous: config.allowAnonymous,
    userManager: {
      isValidUser: (user: string, password: string) => users.has(user) && users.get(user) === password,
      getUserRoles: (user: string) =>
        makeRoles(
          !config.writers || config.writers.includes(user)
            ? 'AuthenticatedUser;Operator'
            : 'AuthenticatedUser',
        ),
    },
    serverCertificateManager: new OPCUACertificateManager({
      rootFolder: join(pki, 'server'),
      automaticallyAcceptUnknownCertificate: false,
    }),
    userCertificateManager: new OPCUACertificateManager({ rootFolder: join(pki, 'user') }),
  };
}
