import type { NodeAPI, NodeDef } from 'node-red';
import { migrateConfig } from '../core/nodes/migrate';
import { MIGRATIONS, parse, type BrokerSettings } from '../core/nodes/twin-mqtt-broker';
import { clockFor } from './shared/clock';
import { BrokerConnection, type TlsOptions } from './uns/client';
import type { BrokerNode } from './uns/broker-node';

/** Node-RED's own tls-config node, as far as this node uses it. */
interface TlsConfigNode {
  valid?: boolean;
  addTLSOptions(options: TlsOptions): TlsOptions;
}

/**
 * TwinFlow's own broker config node rather than Node-RED's core mqtt-broker: the core node's client is internal
 * (no stable interface to share its connection with third-party nodes), and store-and-forward needs to know when
 * the connection is really up. TLS comes from Node-RED's tls-config node; user name and password from the
 * credential store.
 */
export = function register(RED: NodeAPI): void {
  function TwinMqttBroker(this: BrokerNode, raw: NodeDef & Partial<BrokerSettings>): void {
    RED.nodes.createNode(this, raw);
    const parsed = parse(migrateConfig<BrokerSettings>(raw, MIGRATIONS));
    if ('errors' in parsed) {
      this.configError = parsed.errors.join('; ');
      return;
    }
    const config = parsed.config;
    let tls: TlsOptions | undefined;
    if (config.tls) {
      const tlsNode = RED.nodes.getNode(config.tls) as unknown as TlsConfigNode | null;
      if (!tlsNode || tlsNode.valid === false) {
        this.configError = `the TLS configuration ${config.tls} is missing or its certificate files cannot be read`;
        return;
      }
      tls = tlsNode.addTLSOptions({});
    }
    const credentials =
      (this as unknown as { credentials?: { user?: string; password?: string } }).credentials ?? {};
    this.connection = new BrokerConnection({
      url: config.url,
      clientId: config.clientId || `twinflow-${this.id}-${RED.util.generateId().slice(0, 6)}`,
      protocol: config.protocol,
      username: credentials.user || undefined,
      password: credentials.password || undefined,
      tls,
      clock: clockFor(RED),
    });
    this.on('close', (_removed: boolean, done: () => void) => {
      this.connection?.close().then(done, done);
    });
  }
  RED.nodes.registerType('twin-mqtt-broker', TwinMqttBroker, {
    credentials: { user: { type: 'text' }, password: { type: 'password' } },
  });
};
