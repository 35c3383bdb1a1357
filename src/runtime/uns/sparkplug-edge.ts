import {
  deviceBirth,
  deviceData,
  deviceDeath,
  edgeState,
  nodeBirth,
  nodeDeath,
  parseCommand,
  sparkplugTopic,
  type EdgeState,
  type PropertySample,
} from '../../core/uns/sparkplug/edge';
import { decodePayload, encodePayload, type Payload } from '../../core/uns/sparkplug/payload';
import type { NodeContextData } from 'node-red';
import type { Clock } from '../shared/clock';
import { contextGet, contextKey, contextSetNow } from '../shared/context';
import { BrokerConnection, type BrokerOptions } from './client';

/**
 * The MQTT side of a Sparkplug B edge node: its own session (the will is the edge node's death certificate, so it
 * cannot share the broker config node's client), births on every (re)connect and on rebirth requests, data by
 * exception, deaths on a clean close, and commands decoded for the bridge. bdSeq continues across sessions,
 * redeploys and restarts (Sparkplug 3.0: it increments with every new MQTT session of the edge node).
 */
export class SparkplugEdge {
  readonly connection: BrokerConnection;
  private readonly state: EdgeState;
  /** The latest sample of every property of every twin: what a (re)birth announces. */
  private readonly twins = new Map<string, Map<string, PropertySample>>();

  constructor(
    base: BrokerOptions,
    group: string,
    edge: string,
    private readonly clock: Clock,
    bdSeq: number,
    /** Keeps each session's bdSeq (in context), so the next deploy or restart announces the next one. */
    private readonly persistBdSeq: (bdSeq: number) => void,
    private readonly onWrite: (twin: string, values: Record<string, unknown>) => void,
    private readonly onIgnored: (reason: string) => void,
  ) {
    this.state = edgeState(group, edge, bdSeq);
    this.connection = new BrokerConnection({
      ...base,
      clientId: `${base.clientId}-spb`,
      will: {
        topic: sparkplugTopic(this.state, 'NDEATH'),
        payload: Buffer.from(encodePayload(nodeDeath(this.state.bdSeq, clock.now()))),
        qos: 1,
        retain: false,
      },
    });
    this.connection.on('state', this.onState);
    this.connection.on('message', (topic, raw) => this.command(topic, raw));
  }

  /** A birth that fails (the connection dropped meanwhile) is reported; the next connect births again. */
  private rebirth(): void {
    this.birth().catch((err: unknown) =>
      this.onIgnored(`birth failed: ${err instanceof Error ? err.message : String(err)}`),
    );
  }

  private readonly onState = (state: string): void => {
    if (state === 'connected') this.rebirth();
    else if (state === 'disconnected') {
      // The next session announces the next bdSeq; its will must carry the same.
      this.state.bdSeq = (this.state.bdSeq + 1) % 256;
      this.persistBdSeq(this.state.bdSeq);
      this.connection.setWill(encodePayload(nodeDeath(this.state.bdSeq, this.clock.now())));
    }
  };

  start(): void {
    this.connection.acquire();
    this.connection.subscribe(sparkplugTopic(this.state, 'NCMD'));
    this.connection.subscribe(`${sparkplugTopic(this.state, 'DCMD')}/+`);
  }

  /** Sparkplug publishes births and data at QoS 0; deaths at QoS 1, so they reach the broker before the session ends. */
  private send(type: string, payload: Payload, twin?: string, qos: 0 | 1 = 0): Promise<void> {
    return this.connection.publish(
      sparkplugTopic(this.state, type, twin),
      encodePayload(payload),
      qos,
      false,
    );
  }

  private async birth(): Promise<void> {
    const now = this.clock.now();
    await this.send('NBIRTH', nodeBirth(this.state, now)).catch(() => undefined);
    for (const [twin, samples] of this.twins) {
      await this.send('DBIRTH', deviceBirth(this.state, twin, [...samples.values()], now), twin).catch(
        () => undefined,
      );
    }
  }

  /** A twin changed: DBIRTH the first time in this session (with every property), DDATA after. */
  update(twin: string, changed: PropertySample[], all: PropertySample[]): void {
    const known = this.twins.get(twin) ?? new Map<string, PropertySample>();
    for (const s of all) known.set(s.name, s);
    this.twins.set(twin, known);
    if (!this.connection.connected) return; // the next birth carries the current values
    const now = this.clock.now();
    if (!this.state.born[twin])
      void this.send('DBIRTH', deviceBirth(this.state, twin, [...known.values()], now), twin).catch(
        () => undefined,
      );
    else if (changed.length > 0)
      void this.send('DDATA', deviceData(this.state, twin, changed, now), twin).catch(() => undefined);
  }

  private command(topic: string, raw: Buffer): void {
    let payload: Payload;
    try {
      payload = decodePayload(raw);
    } catch (err) {
      return this.onIgnored(`${topic}: not a Sparkplug B payload (${(err as Error).message})`);
    }
    const command = parseCommand(this.state, topic, payload);
    if (command.kind === 'rebirth') this.rebirth();
    else if (command.kind === 'write') this.onWrite(command.twin, command.values);
    else this.onIgnored(`${topic}: ${command.reason}`);
  }

  /** A clean close: every twin's DDEATH, then the edge node's NDEATH, then the session ends. */
  async close(): Promise<void> {
    // A clean end is not a new session: the next deploy takes the next bdSeq from context.
    this.connection.off('state', this.onState);
    if (this.connection.connected) {
      const now = this.clock.now();
      for (const twin of Object.keys(this.state.born).filter((t) => this.state.born[t]))
        await this.send('DDEATH', deviceDeath(this.state, twin, now), twin, 1).catch(() => undefined);
      await this.send('NDEATH', nodeDeath(this.state.bdSeq, now), undefined, 1).catch(() => undefined);
    }
    await this.connection.release();
  }
}

/**
 * The bdSeq for this edge node's next session: one more than the last one used (kept in global context, keyed by
 * group and edge node id, so a redeploy, a restart with a persistent context store, or a new node with the same
 * ids continues the sequence), and the function that keeps each later one.
 */
export async function bdSeqStore(
  context: NodeContextData,
  group: string,
  edge: string,
): Promise<{ bdSeq: number; persist: (bdSeq: number) => void }> {
  const key = contextKey('twinflow_spb_bdseq_', `${group}/${edge}`);
  const last = await contextGet<unknown>(context, key);
  const bdSeq = typeof last === 'number' && Number.isInteger(last) ? (last + 1) % 256 : 0;
  // Best effort: a store that cannot write loses only the bdSeq continuity, never the bridge.
  const persist = (value: number): void => {
    try {
      contextSetNow(context, key, value)?.catch(() => undefined);
    } catch {
      // see above
    }
  };
  persist(bdSeq);
  return { bdSeq, persist };
}
