import type { Clock } from '../shared/clock';

/** TLS options as Node-RED's tls-config node fills them in (addTLSOptions). */
export interface TlsOptions {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  passphrase?: string;
  rejectUnauthorized?: boolean;
  servername?: string;
}

export interface BrokerOptions {
  url: string;
  clientId: string;
  /** `auto`: MQTT 5, falling back to 3.1.1 when the broker refuses version 5. */
  protocol: 'auto' | 4 | 5;
  username?: string;
  password?: string;
  tls?: TlsOptions;
  clock: Clock;
  /** The last will: what the broker publishes if this session dies without a clean close (Sparkplug's NDEATH). */
  will?: { topic: string; payload: Buffer; qos: 0 | 1 | 2; retain: boolean };
}

/**
 * connected: the detail names the protocol ("MQTT 5"); refused: the broker or TLS refused us (credentials, trust,
 * version), which will not cure itself; error: a problem that may (the broker is down); the detail is the reason.
 */
export type BrokerState = 'connected' | 'disconnected' | 'error' | 'refused';

export interface BrokerEvents {
  state: [BrokerState, string];
  message: [string, Buffer];
}
