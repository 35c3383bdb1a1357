/**
 * What a failed OPC UA connection attempt means for a user, from node-opcua's error text (which names neither the
 * cause a user can act on nor where to act). The runtime adds the endpoint; this is the cause.
 *
 * @example connectCause('connect ECONNREFUSED 127.0.0.1:1', 5) // => 'connection refused'
 * @example connectCause('BadUserAccessDenied (0x801f0000)', 5) // => 'user name or password refused (BadUserAccessDenied)'
 */
export function connectCause(raw: string, timeoutSeconds: number, pkiFolder = 'the PKI folder'): string {
  // node-opcua wraps the socket's error in lines of advice: look at all of it, show only what is found.
  const text = raw.replace(/\s+/g, ' ').trim();
  if (/ECONNREFUSED/.test(text)) return 'connection refused';
  if (/ENOTFOUND|EAI_AGAIN/.test(text)) return 'host not found';
  if (/EHOSTUNREACH|ENETUNREACH/.test(text)) return 'host unreachable';
  if (/ECONNRESET|disconnected by third party|socket has been closed/i.test(text))
    return 'connection closed by the server';
  if (/certificate verification failed|BadCertificateUntrusted|certificate.*(untrusted|rejected)/i.test(text))
    return `untrusted server certificate: after checking its thumbprint, move it from ${pkiFolder}/rejected to ${pkiFolder}/trusted/certs`;
  if (/BadCertificate\w*|BadSecurityChecksFailed/.test(text)) {
    const code = /Bad\w+/.exec(text)?.[0];
    return `the server refused our certificate (${code}): trust it on the server`;
  }
  const identity = /BadUserAccessDenied|BadIdentityToken\w*|BadUserSignatureInvalid/.exec(text);
  if (identity) return `user name or password refused (${identity[0]})`;
  const security = /BadSecurityPolicyRejected|BadSecurityModeRejected/.exec(text);
  if (security) return `security mode or policy refused (${security[0]})`;
  if (/^timeout$|ETIMEDOUT|timed? ?out/i.test(text)) return `no answer within ${timeoutSeconds} s`;
  const code = /Bad[A-Z]\w+/.exec(text);
  if (code) return code[0];
  // A first line that is a dump of node-opcua's client object says nothing to a user.
  const first = raw.split('\n')[0].trim();
  return first && !/\.{5}/.test(first) ? first : 'connection failed';
}
