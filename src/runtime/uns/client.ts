import { EventEmitter } from 'node:events';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { describeConnectionError } from '../../core/uns/connection-errors';
import type { BrokerEvents, BrokerOptions } from './broker-options';
import { IncomingFlow, RECEIVE_MAXIMUM } from './incoming-flow';

export type { BrokerEvents, BrokerOptions, BrokerState, TlsOptions } from './broker-options';

/** Publishes handed to the MQTT client at once (see publish). */
const MAX_IN_FLIGHT = 1000;

/**
 * ONE MQTT client per broker, shared by every node that uses it (owned by the twin-mqtt-broker config node), over
 * the `mqtt` package v5 with its own reconnection. Opens when the first node needs it, closes with the last.
 * The interface for other nodes: acquire/release, subscribe, publish, the `state` and `message` events, and what the
 * broker said in CONNACK (protocolVersion, maximumPacketSize).
 */
export class BrokerConnection extends EventEmitter<BrokerEvents> {
  private client?: MqttClient;
  private users = 0;
  private readonly subscriptions = new Set<string>();
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly incoming: IncomingFlow;
  /** The protocol of the current (or next) attempt. */
  private version: 4 | 5;

  constructor(readonly options: BrokerOptions) {
    super();
    this.setMaxListeners(0);
    this.version = options.protocol === 4 ? 4 : 5;
    this.incoming = new IncomingFlow(options.clock);
  }

  get connected(): boolean {
    return this.client?.connected === true;
  }

  /** Publishes handed to the client and not yet acknowledged, plus those waiting for their turn. */
  get backlog(): number {
    return this.inFlight + this.waiting.length;
  }

  /** The protocol in use, once connected. */
  get protocolVersion(): 4 | 5 | undefined {
    return this.connected ? this.version : undefined;
  }

  /** The broker's Maximum Packet Size from CONNACK (MQTT 5 only), or undefined when it set none. */
  get maximumPacketSize(): number | undefined {
    type Connack = { connackPacket?: { properties?: { maximumPacketSize?: number } } };
    const connack = (this.client as unknown as Connack | undefined)?.connackPacket;
    return this.connected ? connack?.properties?.maximumPacketSize : undefined;
  }

  acquire(): void {
    this.users += 1;
    if (!this.client) this.open();
  }

  private open(): void {
    const o = this.options;
    const options: IClientOptions = {
      clientId: o.clientId,
      protocolVersion: this.version,
      reconnectPeriod: 1000,
      connectTimeout: 5000,
      clean: true,
      // A refused CONNACK is reported and retried (the broker's configuration may be fixed meanwhile).
      reconnectOnConnackError: true,
      ...(o.tls ?? {}),
    };
    if (this.version === 5) options.properties = { receiveMaximum: RECEIVE_MAXIMUM };
    if (o.username) options.username = o.username;
    if (o.password) options.password = o.password;
    if (o.will) options.will = { ...o.will };
    const url = o.tls ? o.url.replace(/^(mqtt|tcp):/, 'mqtts:').replace(/^ws:/, 'wss:') : o.url;
    const client = mqtt.connect(url, options);
    client.on('connect', () => {
      for (const topic of this.subscriptions) client.subscribe(topic, { qos: 1 });
      this.emit('state', 'connected', `MQTT ${this.version === 5 ? '5' : '3.1.1'}`);
    });
    client.on('close', () => {
      // What mqtt.js still holds unacknowledged fails now: the sender keeps it (TwinFlow's outbox) and decides
      // when to try again, so one message the broker refuses cannot loop inside the client for ever.
      const outgoing = (client as unknown as { outgoing: Record<string, unknown> }).outgoing ?? {};
      for (const id of Object.keys(outgoing)) client.removeOutgoingMessage(Number(id));
      this.incoming.reset();
      this.emit('state', 'disconnected', o.url);
    });
    client.on('error', (err) => {
      const failure = describeConnectionError(err as Error & { code?: unknown }, {
        url: o.url,
        tls: Boolean(o.tls) || /^(mqtts|wss|tls):/.test(o.url),
        clientCertificate: Boolean(o.tls?.cert),
      });
      if (failure.versionRefused && o.protocol === 'auto' && this.version === 5) {
        // auto: the broker does not speak MQTT 5; a new client over 3.1.1.
        this.version = 4;
        this.client = undefined;
        client.end(true);
        this.open();
        return;
      }
      this.emit('state', failure.refused ? 'refused' : 'error', failure.reason);
    });
    client.on('message', (topic, payload) => this.emit('message', topic, payload));
    client.handleMessage = this.incoming.handle;
    this.client = client;
  }

  async release(): Promise<void> {
    this.users = Math.max(0, this.users - 1);
    if (this.users === 0) await this.close();
  }

  subscribe(topic: string): void {
    this.subscriptions.add(topic);
    if (this.connected) this.client?.subscribe(topic, { qos: 1 });
  }

  unsubscribe(topic: string): void {
    this.subscriptions.delete(topic);
    if (this.connected) this.client?.unsubscribe(topic);
  }

  /**
   * Publishes in order with at most MAX_IN_FLIGHT publishes handed to the client at once; the rest wait here. A burst
   * (10,000 twins changing at once) would otherwise pile one socket 'drain' listener per message into mqtt.js, and
   * QoS 0 bursts slowed down quadratically (100,000 messages took two minutes instead of seconds).
   */
  publish(topic: string, payload: string | Uint8Array, qos: 0 | 1 | 2, retain: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const go = (): void => {
        const client = this.client;
        if (!client) {
          this.waiting.shift()?.();
          return reject(new Error('not connected'));
        }
        this.inFlight++;
        const body = typeof payload === 'string' ? payload : Buffer.from(payload);
        client.publish(topic, body, { qos, retain }, (err) => {
          this.inFlight--;
          this.waiting.shift()?.();
          if (err) reject(err);
          else resolve();
        });
      };
      if (this.inFlight < MAX_IN_FLIGHT && this.waiting.length === 0) go();
      else this.waiting.push(go);
    });
  }

  /** Holds incoming QoS 1/2 messages at the broker until released (MQTT flow control, see IncomingFlow). */
  holdIncoming(): void {
    this.incoming.hold();
  }

  releaseIncoming(): void {
    this.incoming.release();
  }

  /** A new will for the next connection (Sparkplug: the next session's bdSeq). */
  setWill(payload: Uint8Array): void {
    const will = this.client?.options.will;
    if (will) will.payload = Buffer.from(payload);
    if (this.options.will) this.options.will = { ...this.options.will, payload: Buffer.from(payload) };
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    // Connected: a clean DISCONNECT (the broker then discards the will; Sparkplug's NDEATH was sent explicitly),
    // bounded so a broker that stops answering cannot hold up a redeploy. Not connected: just stop reconnecting.
    if (client.connected) {
      const clock = this.options.clock;
      const timeout = new Promise<false>((resolve) => clock.setTimeout(() => resolve(false), 2000));
      const graceful = client.endAsync(false).then(
        () => true,
        () => false,
      );
      if (await Promise.race([graceful, timeout])) return;
    }
    await client.endAsync(true).catch(() => undefined);
  }
}
