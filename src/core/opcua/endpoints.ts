/**
 * Checks what a server offers (its GetEndpoints answer) against what the endpoint node asks for, before a session
 * is made, so a wrong path or a security setting the server does not have is a clear error, not a silent
 * connection somewhere else or a cryptic refusal.
 */
export interface OfferedEndpoint {
  endpointUrl: string;
  /** None, Sign or SignAndEncrypt. */
  securityMode: string;
  /** Policy name: None, Basic256Sha256 ... */
  securityPolicy: string;
  /** Token types: Anonymous, UserName, Certificate ... */
  userTokens: string[];
}

export interface Wanted {
  url: string;
  securityMode: string;
  securityPolicy: string;
  /** A user name is set (else anonymous). */
  user: boolean;
}

const pathOf = (url: string): string =>
  (/^[a-z.]+:\/\/[^/]+(\/.*)?$/i.exec(url.trim())?.[1] ?? '').replace(/\/+$/, '');

/**
 * @returns the reason the endpoint cannot be used, or undefined when it can.
 * @example endpointProblem({ url: 'opc.tcp://h:4840/UA/X', securityMode: 'None', securityPolicy: 'None', user: false }, [{ endpointUrl: 'opc.tcp://h:4840/UA/Y', securityMode: 'None', securityPolicy: 'None', userTokens: ['Anonymous'] }]) // => 'no endpoint at path /UA/X (the server offers /UA/Y)'
 */
export function endpointProblem(wanted: Wanted, offered: OfferedEndpoint[]): string | undefined {
  const path = pathOf(wanted.url);
  // A URL without a path asks for the server's default endpoint; a path must be one the server has.
  const paths = [...new Set(offered.map((e) => pathOf(e.endpointUrl)))];
  if (path !== '' && !paths.includes(path))
    return `no endpoint at path ${path} (the server offers ${paths.map((p) => p || '/').join(', ')})`;
  const here = offered.filter((e) => path === '' || pathOf(e.endpointUrl) === path);
  const secured = here.filter(
    (e) => e.securityMode === wanted.securityMode && e.securityPolicy === wanted.securityPolicy,
  );
  if (secured.length === 0) {
    const modes = [...new Set(here.map((e) => `${e.securityMode}/${e.securityPolicy}`))].join(', ');
    return `security ${wanted.securityMode}/${wanted.securityPolicy} not offered (the server offers ${modes})`;
  }
  const token = wanted.user ? 'UserName' : 'Anonymous';
  if (!secured.some((e) => e.userTokens.includes(token)))
    return wanted.user
      ? 'the server does not accept user names on this endpoint'
      : 'the server refuses anonymous users: set a user name and password';
  return undefined;
}
