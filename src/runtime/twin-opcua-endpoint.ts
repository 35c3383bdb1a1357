import type { NodeAPI, NodeDef } from 'node-red';
import { join } from 'node:path';
import { setErrorLogger, setWarningLogger } from 'node-opcua';
import { migrateConfig } from '../core/nodes/migrate';
import { MIGRATIONS, parse, type EndpointSettings } from '../core/nodes/twin-opcua-endpoint';
import { browseChildren } from './opcua/browse';
import { OpcuaConnection } from './opcua/connection';
import type { OpcuaEndpointNode } from './opcua/endpoint-node';
import { clockFor } from './shared/clock';

export = function register(RED: NodeAPI): void {
  // node-opcua writes its warnings and errors straight to the console; route them into Node-RED's log instead, at
  // debug level: what matters to the user (connection state and its cause, bad items) is said by the nodes.
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

  function TwinOpcuaEndpoint(this: OpcuaEndpointNode, raw: NodeDef & Partial<EndpointSettings>): void {
    RED.nodes.createNode(this, raw);
    const parsed = parse(migrateConfig<EndpointSettings>(raw, MIGRATIONS));
    if ('errors' in parsed) {
      // The nodes that use it say so at Catch and in their status.
      this.configError = new Error(`${raw.url ?? ''}: ${parsed.errors.join('; ')}`);
      this.error(this.configError.message);
      return;
    }
    const config = parsed.config;
    const credentials =
      (this as unknown as { credentials?: { user?: string; password?: string } }).credentials ?? {};
    const userDir = (RED.settings as unknown as { userDir?: string }).userDir ?? process.cwd();
    this.url = config.url;
    // One connection for every node that uses this endpoint; it opens when the first one needs it.
    const connection = new OpcuaConnection({
      ...config,
      userName: credentials.user || undefined,
      password: credentials.password || undefined,
      pkiFolder: join(userDir, 'twinflow-opcua-pki'),
      clock: clockFor(RED),
    });
    this.connection = connection;
    // One log line per change of state, naming the endpoint and, when it fails, the cause.
    connection.on('state', (state) => {
      if (state === 'connected') this.log(`${config.url}: connected`);
      else if (state === 'disconnected') this.warn(`${config.url}: disconnected: ${connection.cause}`);
      else if (state === 'reconnecting') this.warn(`${config.url}: ${connection.cause}, reconnecting`);
    });
    this.on('close', (_removed: boolean, done: () => void) => {
      connection.close().then(done, done);
    });
  }
  RED.nodes.registerType('twin-opcua-endpoint', TwinOpcuaEndpoint, {
    credentials: { user: { type: 'text' }, password: { type: 'password' } },
  });
};
