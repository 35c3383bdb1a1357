import type { NodeAPI, NodeDef } from 'node-red';
import { migrateConfig, type Migration } from '../core/nodes/migrate';
import { BrokerConnection } from './uns/client';
import type { BrokerNode } from './uns/broker-node';

interface BrokerConfig extends NodeDef {
  version: number;
  url: string;
  clientId: string;
  protocolVersion: string | number;
}

const MIGRATIONS: readonly Migration<BrokerConfig>[] = [
  { to: 1, up: (c) => ({ url: 'mqtt://127.0.0.1:1883', clientId: '', protocolVersion: 5, ...c }) },
];

/**
 * TwinFlow's own broker config node rather than Node-RED's core mqtt-broker: the core node's client is internal
 * (no stable interface to share its connection with third-party nodes), and store-and-forward needs to know when
 * the connection is really up.
 */
export = function register(RED: NodeAPI): void {
  function TwinMqttBroker(this: BrokerNode, raw: BrokerConfig): void {
    RED.nodes.createNode(this, raw);
    const config = migrateConfig<BrokerConfig>(raw, MIGRATIONS);
    const credentials =
      (this as unknown as { credentials?: { user?: string; password?: string } }).credentials ?? {};
    this.connection = new BrokerConnection({
      url: config.url,
      clientId: config.clientId || `twinflow-${this.id}-${RED.util.generateId().slice(0, 6)}`,
      protocolVersion: Number(config.protocolVersion) === 4 ? 4 : 5,
      username: credentials.user || undefined,
      password: credentials.password || undefined,
    });
    this.on('close', (_removed: boolean, done: () => void) => {
      this.connection?.close().then(done, done);
    });
  }
  RED.nodes.registerType('twin-mqtt-broker', TwinMqttBroker, {
    credentials: { user: { type: 'text' }, password: { type: 'password' } },
  });
};
