import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  UserTokenType,
  type ClientSession,
} from 'node-opcua';
import type { Clock } from '../shared/clock';

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'error' | 'closed';

export interface ConnectionOptions {
  url: string;
  securityMode: keyof typeof MessageSecurityMode;
  securityPolicy: keyof typeof SecurityPolicy;
  userName?: string;
  password?: string;
  /** Client PKI: own certificate, trusted/ and rejected/ server certificates. */
  pkiFolder: string;
  clock: Clock;
}

interface ConnectionEvents {
  state: [ConnectionState, string];
  /** A (new) session is ready: consumers (re)resolve their addresses and (re)create their subscriptions. */
  session: [ClientSession, string[]];
  /** The connection was lost: consumers report every value with bad quality. */
  lost: [string];
}

/** Delay before the next connection attempt: 1 s doubling to 30 s. */
export function backoffDelay(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5));
}

/**
 * ONE OPC UA client and session per endpoint, shared by every node that uses the endpoint (never one session per
 * node: servers limit sessions, see node-red-contrib-opcua #295). Owned by the twin-opcua-endpoint config node.
 *
 * Connecting: a bounded first attempt, then our own retry with backoff, so a wrong endpoint is an error and a
 * status within seconds, never a hang. Once connected, node-opcua's own reconnection takes over; after it, or after
 * a server restart, the 'session' event fires again and consumers re-resolve namespaces and browse paths (a
 * restarted server may have moved namespace indexes) and rebuild their subscriptions.
 */
export class OpcuaConnection extends EventEmitter<ConnectionEvents> {
  private client?: OPCUAClient;
  private current?: ClientSession;
  private namespaces: string[] = [];
  private retryTimer: unknown;
  private attempt = 0;
  private users = 0;
  state: ConnectionState = 'idle';
  lastError = '';

  constructor(private readonly options: ConnectionOptions) {
    super();
    this.setMaxListeners(0);
  }

  get session(): ClientSession | undefined {
    return this.state === 'connected' ? this.current : undefined;
  }

  get namespaceArray(): string[] {
    return this.namespaces;
  }

  private setState(state: ConnectionState, detail = ''): void {
    this.state = state;
    if (state === 'error') this.lastError = detail;
    this.emit('state', state, detail);
  }

  /** A node starts using the endpoint; the first one opens the connection. */
  acquire(): void {
    this.users += 1;
    if (this.users === 1 && (this.state === 'idle' || this.state === 'closed')) this.connectOrReport();
  }

  /** A node stops using it; the last one closes the connection. */
  async release(): Promise<void> {
    this.users = Math.max(0, this.users - 1);
    if (this.users === 0) await this.close();
  }

  /** connect() reports its own failures; this ends even a failure of that reporting in the state, never unhandled. */
  private connectOrReport(): void {
    this.connect().catch((err: unknown) => this.setState('error', errorText(err)));
  }

  private async connect(): Promise<void> {
    if (this.state === 'connecting') return;
    this.setState('connecting', this.options.url);
    const o = this.options;
    try {
      mkdirSync(o.pkiFolder, { recursive: true });
      const client = OPCUAClient.create({
        applicationName: 'TwinFlow',
        endpointMustExist: false,
        securityMode: MessageSecurityMode[o.securityMode],
        securityPolicy: SecurityPolicy[o.securityPolicy],
        // A bounded first attempt: a wrong endpoint must fail, not retry for ever.
        connectionStrategy: { maxRetry: 1, initialDelay: 500, maxDelay: 2000, randomisationFactor: 0.1 },
        keepSessionAlive: true,
        requestedSessionTimeout: 60_000,
        clientCertificateManager: new OPCUACertificateManager({
          rootFolder: o.pkiFolder,
          // Unknown server certificates are rejected until the user trusts them (moves them from rejected/ to trusted/certs/).
          automaticallyAcceptUnknownCertificate: false,
        }),
      });
      this.client = client;
      await client.connect(o.url);
      const session = await client.createSession(
        o.userName
          ? { type: UserTokenType.UserName, userName: o.userName, password: o.password ?? '' }
          : undefined,
      );
      this.current = session;
      client.on('connection_lost', () => {
        this.setState('reconnecting', 'connection lost');
        this.emit('lost', 'BadConnectionClosed');
      });
      client.on('connection_reestablished', () => {
        this.sessionReady(session).catch((err: unknown) => this.setState('error', errorText(err)));
      });
      this.attempt = 0;
      await this.sessionReady(session);
    } catch (err) {
      await this.dropClient();
      if (this.users === 0) return;
      const raw = err instanceof Error ? err.message.split('\n')[0] : String(err);
      // node-opcua's wording names neither the cause a user can act on nor the folder to act in.
      const message = /certificate verification failed/i.test(raw)
        ? `untrusted server certificate: after checking its thumbprint, move it from ${join(o.pkiFolder, 'rejected')} to ${join(o.pkiFolder, 'trusted', 'certs')}`
        : raw;
      this.setState('error', message);
      this.emit('lost', 'BadNotConnected');
      this.retryTimer = o.clock.setTimeout(() => {
        this.retryTimer = undefined;
        if (this.users > 0) this.connectOrReport();
      }, backoffDelay(this.attempt++));
    }
  }

  private async sessionReady(session: ClientSession): Promise<void> {
    try {
      this.namespaces = await session.readNamespaceArray();
      this.setState('connected', this.options.url);
      this.emit('session', session, this.namespaces);
    } catch (err) {
      this.setState('error', err instanceof Error ? err.message : String(err));
    }
  }

  private async dropClient(): Promise<void> {
    const client = this.client;
    const session = this.current;
    this.client = undefined;
    this.current = undefined;
    try {
      await session?.close();
    } catch {
      // the session may already be gone with its server
    }
    try {
      await client?.disconnect();
    } catch {
      // nothing left to release
    }
  }

  async close(): Promise<void> {
    if (this.retryTimer !== undefined) this.options.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.setState('closed');
    await this.dropClient();
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
