import type { NodeAPI, NodeDef } from 'node-red';
import { join } from 'node:path';
import { setErrorLogger, setWarningLogger } from 'node-opcua';
import { browseChildren } from './opcua/browse';
import { OpcuaConnection, type ConnectionOptions } from './opcua/connection';
import type { OpcuaEndpointNode } from './opcua/endpoint-node';
import { clockFor } from './shared/clock';
import { migrateConfig, type Migration } from '../core/nodes/migrate';

interface EndpointConfig extends NodeDef {
  version: number;
  url: string;
  securityMode: ConnectionOptions['securityMode'];
  securityPolicy: ConnectionOptions['securityPolicy'];
}

const MIGRATIONS: readonly Migration<EndpointConfig>[] = [
  {
    to: 1,
    up: (c) => ({ url: 'opc.tcp://127.0.0.1:4840', securityMode: 'None', securityPolicy: 'None', ...c }),
  },
];

export = function register(RED: NodeAPI): void {
  // node-opcua writes its warnings and errors straight to the console; route them into Node-RED's log instead, at
  // debug level: what matters to the user (connection state, bad items) reaches the nodes' status and the debug tab.
  const toLog = (...args: unknown[]): void => RED.log.debug(`node-opcua: ${args.map(String).join(' ')}`);
  setWarningLogger(toLog);
  setErrorLogger(toLog);
  // Browse the live server from the editor (the mapping dialog's browse button), through the endpoint's own session.
  RED.httpAdmin.get(
    '/twinflow/opcua/browse',
    RED.auth.needsPermission('twin-opcua-endpoint.read'),
    (req, res) => {
      const endpoint = RED.nodes.getNode(String(req.query.endpoint ?? '')) as OpcuaEndpointNode | null;
      const session = endpoint?.connection?.session;
      if (!session) {
        res.status(409).json({ error: 'the endpoint is not connected (deploy a flow that uses it first)' });
        return;
      }
      browseChildren(
        session,
        String(req.query.nodeId || 'ObjectsFolder'),
        endpoint.connection?.namespaceArray ?? [],
      ).then(
        (children) => res.json(children),
        (err: Error) => res.status(400).json({ error: err.message }),
      );
    },
  );

  function TwinOpcuaEndpoint(this: OpcuaEndpointNode, raw: EndpointConfig): void {
    RED.nodes.createNode(this, raw);
    const config = migrateConfig<EndpointConfig>(raw, MIGRATIONS);
    const credentials =
      (this as unknown as { credentials?: { user?: string; password?: string } }).credentials ?? {};
    const userDir = (RED.settings as unknown as { userDir?: string }).userDir ?? process.cwd();
    this.url = config.url;
    // One connection for every node that uses this endpoint; it opens when the first one needs it.
    this.connection = new OpcuaConnection({
      url: config.url,
      securityMode: config.securityMode,
      securityPolicy: config.securityPolicy,
      userName: credentials.user || undefined,
      password: credentials.password || undefined,
      pkiFolder: join(userDir, 'twinflow-opcua-pki'),
      clock: clockFor(RED),
    });
    // An untrusted server certificate needs the user to act, once: say so in the log with the folders involved.
    let warned = false;
    this.connection.on('state', (state, detail) => {
      if (state === 'error' && detail.startsWith('untrusted server certificate') && !warned) {
        warned = true;
        this.warn(`${config.url}: ${detail}`);
      }
    });
    this.on('close', (_removed: boolean, done: () => void) => {
      this.connection?.close().then(done, done);
    });
  }
  RED.nodes.registerType('twin-opcua-endpoint', TwinOpcuaEndpoint, {
    credentials: { user: { type: 'text' }, password: { type: 'password' } },
  });
};
