import { EventEmitter } from 'node:events';
import { UserTokenType, type ClientSession, type OPCUAClient } from 'node-opcua';
import { reconnectDelay } from '../../core/opcua/retry';
import type { EndpointSettings } from '../../core/nodes/twin-opcua-endpoint';
import type { Clock } from '../shared/clock';
import { createClient, endpointCheck, EndpointProblem, explain } from './client';

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
 * state: on a change of state or of the failure's cause (one log line each; the cause is in `cause`).
 * session: a (new) session is ready; consumers (re)resolve their addresses and (re)create their items.
 * failure: once per episode (and per new cause), for Catch. lost: once per episode, the values are not live.
 */
interface ConnectionEvents {
  state: [ConnectionState];
  session: [ClientSession, string[]];
  failure: [string];
  lost: [string];
}

/** How long after a deploy a refused connection is retried quietly (a server in the same flows starting). */
export const STARTUP_GRACE_MS = 3000;

/**
 * ONE OPC UA client and session per endpoint, shared by every node that uses the endpoint (servers limit sessions,
 * see node-red-contrib-opcua #295). Owned by the twin-opcua-endpoint config node.
 *
 * It runs its own retry loop (node-opcua's automatic reconnection is off) so that every attempt is bounded by the
 * connect timeout, every failure has a cause, a lost server is retried fast at first (a restart is the common case)
 * and then with a capped backoff, and consumers hear of a failure once per episode, not once per retry.
 */
export class OpcuaConnection extends EventEmitter<ConnectionEvents> {
  private client?: OPCUAClient;
  private current?: ClientSession;
  private namespaces: string[] = [];
  private retryTimer: unknown;
  private attempts = 0;
  private users = 0;
  /** The cause reported in this episode / its values were said to be bad (both cleared by a connection). */
  private reported: string | undefined;
  private startedAt = 0;
  private saidLost = false;
  state: ConnectionState = 'idle';
  cause = '';

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
  private setState(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    this.emit('state', state);
  }

  /** A node starts using the endpoint; the first one opens the connection. */
  acquire(): void {
    this.users += 1;
    if (this.users === 1 && (this.state === 'idle' || this.state === 'closed')) {
      this.startedAt = this.options.clock.now();
      this.setState('connecting');
      this.attemptOrFail();
    }
  }

  /** A node stops using it; the last one closes the connection. */
  async release(): Promise<void> {
    this.users = Math.max(0, this.users - 1);
    if (this.users === 0) await this.close();
  }

  /** attempt() reports its own failures; anything else that escapes it still ends in fail(), never unhandled. */
  private attemptOrFail(): void {
    this.attempt().catch((err: unknown) => this.fail(err instanceof Error ? err.message : String(err)));
  }

  /** Closing a client is best effort: a dead server's session cannot be closed cleanly, and nothing waits on it. */
  private dropClientQuietly(): void {
    this.dropClient().catch(() => undefined);
  }

  private async attempt(): Promise<void> {
    const o = this.options;
    const client = await createClient(o);
    if (this.users === 0 || this.state === 'closed') return void client.disconnect().catch(() => undefined);
    this.client = client;
    let timer: unknown;
    const timeout = new Promise<never>((_, reject) => {
      timer = o.clock.setTimeout(() => reject(new Error('timeout')), o.connectTimeout * 1000);
    });
    try {
      const session = await Promise.race([this.open(client), timeout]);
      o.clock.clearTimeout(timer);
      if (this.client !== client) return void session.close().catch(() => undefined);
      this.current = session;
      this.namespaces = await session.readNamespaceArray();
      this.attempts = 0;
      this.reported = undefined;
      this.saidLost = false;
      this.cause = '';
      client.on('connection_lost', () => this.lose(client, 'connection lost'));
      session.on('keepalive_failure', () => this.lose(client, 'the server stopped answering'));
      this.setState('connected');
      this.emit('session', session, this.namespaces);
    } catch (err) {
      o.clock.clearTimeout(timer);
      if (this.client !== client) return; // closed meanwhile
      const cause = await explain(err, { ...o, user: !!o.userName }, o.connectTimeout, o.pkiFolder);
      if (this.client === client) this.fail(cause);
    }
  }

  /** Connect, check what the server offers against what we ask for, then the session. */
  private async open(client: OPCUAClient): Promise<ClientSession> {
    const o = this.options;
    await client.connect(o.url);
    const problem = await endpointCheck(client, { ...o, user: !!o.userName });
    if (problem) throw new EndpointProblem(problem);
    return client.createSession(
      o.userName
        ? { type: UserTokenType.UserName, userName: o.userName, password: o.password ?? '' }
        : undefined,
    );
  }

  /** The live connection dropped: values are bad from now (said once), and the loop tries again at once. */
  private lose(client: OPCUAClient, cause: string): void {
    if (this.client !== client || this.state !== 'connected') return;
    this.cause = cause;
    this.setState('reconnecting');
    this.saidLost = true;
    this.emit('lost', 'BadConnectionClosed');
    // Not awaited: closing a session on a dead server waits for its request timeout; the retry must not.
    this.dropClientQuietly();
    this.schedule(0);
  }

  private fail(cause: string): void {
    this.cause = cause;
    this.dropClientQuietly();
    if (this.users === 0) return;
    const delay = reconnectDelay(this.attempts++, this.options.maxRetryDelay * 1000);
    // Right after a deploy, a refusal is often a server in the same flows still starting: give it a moment.
    const early = this.options.clock.now() - this.startedAt < STARTUP_GRACE_MS;
    if (early && this.state === 'connecting' && /refused/.test(cause)) return this.schedule(delay);
    // Once per episode, and again only if the cause changes (news, not a retry): log line, status and Catch.
    if (this.reported !== cause) {
      this.reported = cause;
      this.state = 'disconnected';
      this.emit('state', 'disconnected');
      this.emit('failure', cause);
    }
    if (!this.saidLost) {
      this.saidLost = true;
      this.emit('lost', 'BadNotConnected');
    }
    this.schedule(delay);
  }

  private schedule(delay: number): void {
    if (this.users === 0 || this.state === 'closed') return;
    this.retryTimer = this.options.clock.setTimeout(() => {
      this.retryTimer = undefined;
      if (this.users > 0 && this.state !== 'closed') this.attemptOrFail();
    }, delay);
  }

  private async dropClient(): Promise<void> {
    const client = this.client;
    const session = this.current;
    this.client = undefined;
    this.current = undefined;
    // The session may be gone with its server, and the client may never have connected: nothing to release then.
    await session?.close().catch(() => undefined);
    await client?.disconnect().catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.retryTimer !== undefined) this.options.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.setState('closed');
    await this.dropClient();
  }
}
