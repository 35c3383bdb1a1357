import { EventEmitter } from 'node:events';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { describeConnectionError } from '../../core/uns/connection-errors';
import type { Clock } from '../shared/clock';
import type { BrokerOptions } from '../uns/client';

/** Publishes handed to the MQTT client at once; the rest wait in order (see BrokerConnection.publish). */
const MAX_IN_FLIGHT = 1000;

interface FleetEvents {
  /** refused: the broker or TLS refused us (trust, certificate, credentials), which will not cure itself. */
  state: ['connected' | 'disconnected' | 'error' | 'refused', string];
  message: [string, Buffer, boolean];
}

/**
 * A fleet member's own MQTT session, with the broker config node's settings: its last will is this member's death
 * message, which is why it cannot share the broker node's connection. Subscriptions are MQTT 5 "no local", so an
 * owner never receives its own 10,000 twin documents a second back.
 */
export class FleetConnection extends EventEmitter<FleetEvents> {
  private client?: MqttClient;
  private readonly subscriptions: string[] = [];
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly options: BrokerOptions,
    private readonly will: { topic: string; payload: string },
    private readonly clock: Clock,
  ) {
    super();
  }

  get connected(): boolean {
    return this.client?.connected === true;
  }

  open(subscriptions: string[]): void {
    this.subscriptions.push(...subscriptions);
    // MQTT 5 unless the broker node says 3.1.1 ("no local" subscriptions need 5); `auto` falls back to 3.1.1 when
    // the broker refuses 5, and members then ignore their own echoes.
    this.connect(this.options.protocol === 4 ? 4 : 5);
  }

  private connect(version: 4 | 5): void {
    const o = this.options;
    const options: IClientOptions = {
      clientId: o.clientId,
      protocolVersion: version,
      reconnectPeriod: 1000,
      connectTimeout: 5000,
      clean: true,
      ...(o.tls ?? {}),
      will: { topic: this.will.topic, payload: Buffer.from(this.will.payload), qos: 1, retain: true },
    };
    if (o.username) options.username = o.username;
    if (o.password) options.password = o.password;
    const url = o.tls ? o.url.replace(/^(mqtt|tcp):/, 'mqtts:').replace(/^ws:/, 'wss:') : o.url;
    const client = mqtt.connect(url, options);
    client.on('connect', () => {
      const nl = version === 5;
      for (const topic of this.subscriptions) client.subscribe(topic, { qos: 1, nl });
      this.emit('state', 'connected', o.url);
    });
    client.on('close', () => this.emit('state', 'disconnected', o.url));
    client.on('error', (err) => {
      const failure = describeConnectionError(err as Error & { code?: unknown }, {
        url: o.url,
        tls: Boolean(o.tls) || /^(mqtts|wss|tls):/.test(o.url),
        clientCertificate: Boolean(o.tls?.cert),
      });
      if (failure.versionRefused && o.protocol === 'auto' && version === 5 && this.client === client) {
        this.client = undefined;
        client.end(true);
        this.connect(4);
        return;
      }
      this.emit('state', failure.refused ? 'refused' : 'error', failure.reason);
    });
    client.on('message', (topic, payload, packet) => this.emit('message', topic, payload, packet.retain));
    this.client = client;
  }

  /** In order, at most MAX_IN_FLIGHT at once; rejects when there is no client. */
  publish(topic: string, payload: string, qos: 0 | 1 | 2, retain: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const go = (): void => {
        const client = this.client;
        if (!client) {
          this.waiting.shift()?.();
          return reject(new Error('not connected'));
        }
        this.inFlight++;
        client.publish(topic, payload, { qos, retain }, (err) => {
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

  /**
   * Closes cleanly: the goodbye (this member's offline message) is published first, because a clean DISCONNECT
   * makes the broker discard the will. Bounded, so a broker that stops answering cannot hold up a redeploy.
   */
  async close(goodbye?: { topic: string; payload: string }): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (client.connected) {
      const timeout = new Promise<false>((resolve) => this.clock.setTimeout(() => resolve(false), 2000));
      const graceful = (async () => {
        if (goodbye) await client.publishAsync(goodbye.topic, goodbye.payload, { qos: 1, retain: true });
        await client.endAsync(false);
        return true;
      })().catch(() => false);
      if (await Promise.race([graceful, timeout])) return;
    }
    await client.endAsync(true).catch(() => undefined);
  }
}
