/**
 * Why a broker connection failed, in words a user can act on, from what mqtt.js and Node's TLS report: a CONNACK
 * refusal (by its MQTT 3.1.1 return code or MQTT 5 reason code), a certificate the client does not trust, a
 * client certificate the broker wants, a broker that is not listening.
 */
export interface ConnectionFailure {
  /** A refusal (credentials, authorisation, TLS trust) will not cure itself; a broker that is down may. */
  refused: boolean;
  /** MQTT 5 was refused as a protocol version: the caller may fall back to 3.1.1. */
  versionRefused: boolean;
  reason: string;
}

const CONNACK: Record<number, string> = {
  1: 'protocol version refused',
  2: 'client id refused',
  3: 'broker unavailable',
  4: 'bad user name or password',
  5: 'not authorised',
  128: 'connection refused (unspecified error)',
  132: 'protocol version refused',
  133: 'client id refused',
  134: 'bad user name or password',
  135: 'not authorised',
  136: 'broker unavailable',
  137: 'broker busy',
  138: 'client banned',
  140: 'authentication method refused',
  149: 'connection refused: packet too large',
  151: 'connection refused: quota exceeded',
};

const TLS_TRUST = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function describeConnectionError(
  err: { message?: string; code?: unknown },
  context: { url: string; tls: boolean; clientCertificate: boolean },
): ConnectionFailure {
  const code = err.code;
  const message = String(err.message ?? err);
  if (typeof code === 'number' && CONNACK[code] !== undefined)
    return {
      refused: code !== 3 && code !== 136 && code !== 137,
      versionRefused: code === 1 || code === 132,
      reason: `${CONNACK[code]} by the broker at ${context.url}`,
    };
  if (typeof code === 'string' && TLS_TRUST.has(code))
    return {
      refused: true,
      versionRefused: false,
      reason: `TLS: broker certificate not trusted (${message}); check the CA of the TLS configuration`,
    };
  if (
    /certificate required|alert handshake failure|peer did not return a certificate/i.test(message) ||
    (context.tls && !context.clientCertificate && /ECONNRESET|socket hang up/i.test(message))
  )
    return {
      refused: true,
      versionRefused: false,
      reason: `TLS: client certificate required by the broker (${message}); give one in the TLS configuration`,
    };
  if (/bad certificate|unknown ca|certificate unknown|decrypt error/i.test(message))
    return {
      refused: true,
      versionRefused: false,
      reason: `TLS: client certificate refused by the broker (${message})`,
    };
  if (/wrong version number|packet length too long|EPROTO/i.test(message))
    return {
      refused: true,
      versionRefused: false,
      reason: `TLS: no TLS on this port, or TLS required (${context.url}: ${message})`,
    };
  if (typeof code === 'string' && /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|EAI_AGAIN/.test(code))
    return {
      refused: false,
      versionRefused: false,
      reason: `broker unreachable: ${context.url} (${code})`,
    };
  return { refused: false, versionRefused: false, reason: `broker connection failed: ${message}` };
}
