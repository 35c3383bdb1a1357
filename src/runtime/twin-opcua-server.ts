import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  DataType,
  DataValue,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAServer,
  SecurityPolicy,
  StatusCodes,
  Variant,
  type Namespace,
  type UAObject,
} from 'node-opcua';
import { isPlainObject, isSample } from '../core/envelope';
import { TwinFlowError } from '../core/errors';
import { isValidName } from '../core/twin/model';
import type { TwinModelNode } from './twin/model-node';
import { toNodeError } from './shared/i18n';
import { handleInput, type InputMessage, type Send } from './shared/input';
import { shortText } from './shared/status';
import { migrateConfig, type Migration } from '../core/nodes/migrate';

interface ServerConfig extends NodeDef {
  version: number;
  port: string | number;
  host: string;
  resourcePath: string;
  namespace: string;
  /** Optional twin-model: units, and which properties OPC UA clients may write. */
  model: string;
}

const MIGRATIONS: readonly Migration<ServerConfig>[] = [
  {
    to: 1,
    up: (c) => ({
      port: 4840,
      host: '127.0.0.1',
      resourcePath: '/UA/TwinFlow',
      namespace: 'urn:twinflow:twins',
      model: '',
      ...c,
    }),
  },
];

interface Published {
  value: unknown;
  quality: string;
  timestamp: Date;
}

const STATUS = {
  good: StatusCodes.Good,
  uncertain: StatusCodes.UncertainLastUsableValue,
  bad: StatusCodes.BadCommunicationError,
};

function dataTypeOf(value: unknown): DataType | undefined {
  if (typeof value === 'number') return DataType.Double;
  if (typeof value === 'boolean') return DataType.Boolean;
  if (typeof value === 'string') return DataType.String;
  return undefined;
}

/**
 * Exposes twins as an OPC UA server, so SCADA and MES clients read them: one object per twin (its id as browse
 * name, under Objects), one variable per property, created as twins report, with quality as the OPC UA status and
 * the property's source timestamp. Properties the twin model marks writable accept writes, which leave the node as
 * `desire` messages for twin-state. The demo's virtual plant uses it as its PLC.
 */
export = function register(RED: NodeAPI): void {
  function TwinOpcuaServer(this: Node, raw: ServerConfig): void {
    RED.nodes.createNode(this, raw);
    const node = this;
    const config = migrateConfig<ServerConfig>(raw, MIGRATIONS);
    const modelNode = config.model ? (RED.nodes.getNode(config.model) as TwinModelNode | null) : null;
    const userDir = (RED.settings as unknown as { userDir?: string }).userDir ?? process.cwd();
    /** twin.property -> the OPC UA type its variable was created with. */
    const dataTypes = new Map<string, DataType>();
    const values = new Map<string, Published>();
    const twins = new Map<string, UAObject>();
    let namespace: Namespace | undefined;
    let server: OPCUAServer | undefined;
    let startError: Error | undefined;
    let startErrorReported = false;

    const started = (async () => {
      const pki = join(userDir, 'twinflow-opcua-server-pki');
      mkdirSync(pki, { recursive: true });
      const s = new OPCUAServer({
        port: Number(config.port),
        // Bind to the configured address (loopback by default), not to every interface.
        host: config.host,
        hostname: config.host === '0.0.0.0' ? undefined : config.host,
        resourcePath: config.resourcePath,
        securityModes: [MessageSecurityMode.None],
        securityPolicies: [SecurityPolicy.None],
        allowAnonymous: true,
        serverCertificateManager: new OPCUACertificateManager({
          rootFolder: join(pki, 'server'),
          automaticallyAcceptUnknownCertificate: true,
        }),
        userCertificateManager: new OPCUACertificateManager({ rootFolder: join(pki, 'user') }),
      });
      await s.initialize();
      namespace = s.engine.addressSpace?.registerNamespace(config.namespace);
      await s.start();
      server = s;
      node.status({ fill: 'green', shape: 'dot', text: `opc.tcp://${config.host}:${s.endpoints[0].port}` });
    })().catch((err: unknown) => {
      startError = toNodeError(RED, 'twin-opcua-server', err);
      node.status({ fill: 'red', shape: 'ring', text: shortText(startError.message) });
    });

    const ensureVariable = (twin: string, property: string, value: unknown): void => {
      const key = `${twin}.${property}`;
      if (values.has(key) || !namespace) return;
      const dataType = dataTypeOf(value);
      if (dataType === undefined) return;
      dataTypes.set(key, dataType);
      let object = twins.get(twin);
      if (!object) {
        object = namespace.addObject({
          browseName: twin,
          nodeId: `s=${twin}`,
          organizedBy: namespace.addressSpace.rootFolder.objects,
        });
        twins.set(twin, object);
      }
      const def = modelNode?.model?.properties[property];
      const writable = def?.writable === true;
      const ns = namespace;
      ns.addVariable({
        componentOf: object,
        browseName: property,
        nodeId: `s=${key}`,
        dataType,
        description: def?.unit ? `unit: ${def.unit}` : undefined,
        minimumSamplingInterval: 100,
        accessLevel: writable ? 'CurrentRead | CurrentWrite' : 'CurrentRead',
        userAccessLevel: writable ? 'CurrentRead | CurrentWrite' : 'CurrentRead',
        value: {
          timestamped_get: () => {
            const p = values.get(key);
            // No value yet (or a bad one without a value): an empty variant, never a null typed as Double.
            const empty = p?.value === null || p?.value === undefined;
            return new DataValue({
              value: empty
                ? new Variant({ dataType: DataType.Null })
                : new Variant({ dataType, value: p.value }),
              statusCode: STATUS[(p?.quality ?? 'bad') as keyof typeof STATUS] ?? StatusCodes.Bad,
              sourceTimestamp: p?.timestamp ?? null,
            });
          },
          timestamped_set: async (dv: DataValue) => {
            const v = dv.value.value as unknown;
            // A client's write becomes a desired value for twin-state; the reported value follows from the machine.
            node.send({
              _msgid: RED.util.generateId(),
              topic: twin,
              action: 'desire',
              payload: { [property]: v },
            } as unknown as NodeMessageInFlow);
            return StatusCodes.Good;
          },
        },
      });
    };

    const handle = async (msg: InputMessage, _send: Send): Promise<void> => {
      await started;
      if (startError) {
        // Said once through Catch; afterwards the red status says it, rather than an error per message.
        if (startErrorReported) return;
        startErrorReported = true;
        throw startError;
      }
      const twin = msg.topic;
      if (typeof twin !== 'string' || !isValidName(twin)) {
        throw new TwinFlowError(
          'badTwinId',
          'msg.topic must be a twin id made of letters, digits, _ or -',
          {},
        );
      }
      if (!isPlainObject(msg.payload))
        throw new TwinFlowError('badPayload', 'msg.payload must be an object of property values', {});
      // Checked whole before anything is applied: a variable keeps the type it was created with.
      for (const [property, entry] of Object.entries(msg.payload)) {
        const existing = dataTypes.get(`${twin}.${property}`);
        const value = isSample(entry) ? entry.value : entry;
        if (
          existing !== undefined &&
          value !== null &&
          value !== undefined &&
          dataTypeOf(value) !== existing
        ) {
          throw new TwinFlowError(
            'typeMismatch',
            `${twin}.${property} is a ${DataType[existing]} variable; got ${typeof value}`,
            { property },
          );
        }
      }
      for (const [property, entry] of Object.entries(msg.payload)) {
        if (!isValidName(property)) continue;
        const sample = isSample(entry) ? entry : undefined;
        const value = sample ? sample.value : entry;
        const quality = sample?.quality ?? 'good';
        const ts =
          typeof sample?.sourceTimestamp === 'number' ? new Date(sample.sourceTimestamp) : new Date();
        if (value === null && quality === 'bad') {
          const known = values.get(`${twin}.${property}`);
          if (known) values.set(`${twin}.${property}`, { ...known, quality, timestamp: ts });
          continue;
        }
        ensureVariable(twin, property, value);
        if (values.has(`${twin}.${property}`) || dataTypeOf(value) !== undefined)
          values.set(`${twin}.${property}`, { value, quality, timestamp: ts });
      }
    };

    node.on('input', handleInput(RED, node, 'twin-opcua-server', handle) as (msg: NodeMessageInFlow) => void);
    node.on('close', (_removed: boolean, done: () => void) => {
      void started
        .then(() => server?.shutdown(0))
        .then(
          () => done(),
          () => done(),
        );
    });
  }
  RED.nodes.registerType('twin-opcua-server', TwinOpcuaServer);
};
