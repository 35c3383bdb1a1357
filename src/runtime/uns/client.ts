import { EventEmitter } from 'node:events';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

/** Publishes handed to the MQTT client at once (see publish). */
const MAX_IN_FLIGHT = 1000;

export interface BrokerOptions {
  url: string;
  clientId: string;
  protocolVersion: 4 | 5;
  username?: string;
  password?: string;
  /** The last will: what the broker publishes if this session dies without a clean close (Sparkplug's NDEATH). */
  will?: { topic: string; payload: Buffer; qos: 0 | 1 | 2; retain: boolean };
}

interface BrokerEvents {
  state: ['connected' | 'disconnected' | 'error', string];
  message: [string, Buffer];
}

/**
 * ONE MQTT client per broker, shared by every node that uses it (owned by the twin-mqtt-broker config node), over
 * the `mqtt` package v5 with its own reconnection. Opens when the first node needs it, closes with the last.
 */
export class BrokerConnection extends EventEmitter<BrokerEvents> {
  private client?: MqttClient;
  private users = 0;
  private readonly subscriptions = new Set<string>();
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly options: BrokerOptions) {
    super();
    this.setMaxListeners(0);
  }

  get connected(): boolean {
    return this.client?.connected === true;
  }

  acquire(): void {
    this.users += 1;
    if (this.client) return;
    const o = this.options;
    const options: IClientOptions = {
      clientId: o.clientId,
      protocolVersion: o.protocolVersion,
      reconnectPeriod: 1000,
      connectTimeout: 5000,
      clean: true,
    };
    if (o.username) options.username = o.username;
    if (o.password) options.password = o.password;
    if (o.will) options.will = { ...o.will };
    const client = mqtt.connect(o.url, options);
    client.on('connect', () => {
      for (const topic of this.subscriptions) client.subscribe(topic, { qos: 1 });
      this.emit('state', 'connected', o.url);
    });
    client.on('close', () => this.emit('state', 'disconnected', o.url));
    client.on('error', (err) => this.emit('state', 'error', err.message));
    client.on('message', (topic, payload) => this.emit('message', topic, payload));
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
      const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), 2000).unref());
      const graceful = client.endAsync(false).then(
        () => true,
        () => false,
      );
      if (await Promise.race([graceful, timeout])) return;
    }
    await client.endAsync(true).catch(() => undefined);
  }
}
