import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { join } from 'node:path';
import { OPCUAServer, StatusCodes, type StatusCode } from 'node-opcua';
import { isPlainObject, isSample } from '../core/envelope';
import { isTwinFlowError, TwinFlowError } from '../core/errors';
import { migrateConfig } from '../core/nodes/migrate';
import { MIGRATIONS, parse, type ServerSettings } from '../core/nodes/twin-opcua-server';
import { checkWrite, twinValueOf } from '../core/opcua/server-model';
import { endpointLabel } from '../core/opcua/status-text';
import { applyDesire } from '../core/twin';
import { isValidName } from '../core/twin/model';
import { tookDesired } from './opcua/desired';
import { parseUsers, serverOptions } from './opcua/server-options';
import { TwinSpace } from './opcua/server-space';
import type { TwinModelNode } from './model/model-node';
import { clockFor } from './shared/clock';
import { toNodeError } from './shared/i18n';
import { handleInput, type InputMessage } from './shared/input';
import { statusFor } from './shared/status';
import { messageId } from './shared/message-id';

const NS = 'twin-opcua-server';

/** What the model's own checks say about a desired value, as the OPC UA status a client understands. */
const WRITE_STATUS: Record<string, StatusCode> = {
  notWritable: StatusCodes.BadNotWritable,
  outOfRange: StatusCodes.BadOutOfRange,
  notInEnum: StatusCodes.BadOutOfRange,
  notFinite: StatusCodes.BadOutOfRange,
};

/**
 * Exposes twins as an OPC UA server, so SCADA and MES clients read them (see opcua/server-space for the address
 * space). A client's write is checked against the twin model before it is answered; a valid one leaves the node as
 * a `desire` message for twin-state, and is answered Good only once the twin holds the desired value.
 */
export = function register(RED: NodeAPI): void {
  function TwinOpcuaServer(this: Node, raw: NodeDef & Partial<ServerSettings>): void {
    RED.nodes.createNode(this, raw);
    const node = this;
    const clock = clockFor(RED);
    const status = statusFor(RED, node, NS, clock, undefined, 64);
    const parsed = parse(migrateConfig<ServerSettings>(raw, MIGRATIONS));
    const modelNode = raw.model ? (RED.nodes.getNode(raw.model) as TwinModelNode | null) : null;
    const model = modelNode?.model;
    const credentials = (node as unknown as { credentials?: { users?: string } }).credentials;
    const userDir = (RED.settings as unknown as { userDir?: string }).userDir ?? process.cwd();
    let server: OPCUAServer | undefined;
    let space: TwinSpace | undefined;
    let startError: Error | undefined;
    let startErrorReported = false;

    const onWrite = async (twin: string, property: string, rawValue: unknown): Promise<StatusCode> => {
      const def = model?.properties[property];
      const refused = checkWrite(def, rawValue);
      if (refused) return StatusCodes[refused as keyof typeof StatusCodes] as StatusCode;
      const store = modelNode?.store;
      if (!model || !store) return StatusCodes.BadNotWritable;
      const value = twinValueOf(def, rawValue);
      try {
        // The same check twin-state makes, before anything leaves: a refused write changes nothing.
        applyDesire(store.get(twin), model, twin, { [property]: value }, { now: clock.now() });
      } catch (err) {
        return (isTwinFlowError(err) && WRITE_STATUS[err.key]) || StatusCodes.BadTypeMismatch;
      }
      const sentAt = clock.now();
      node.send({
        _msgid: messageId(),
        topic: twin,
        action: 'desire',
        payload: { [property]: value },
      } as unknown as NodeMessageInFlow);
      return (await tookDesired(store, twin, property, value, sentAt, clock))
        ? StatusCodes.Good
        : StatusCodes.BadTimeout;
    };

    const started = (async () => {
      if ('errors' in parsed)
        throw new TwinFlowError('badConfig', parsed.errors.join('; '), { errors: parsed.errors.join('; ') });
      const config = parsed.config;
      if (config.host === '0.0.0.0' || config.host === '::')
        node.warn(`listening on every network interface (${config.host}): check the security settings`);
      const pki = join(userDir, 'twinflow-opcua-server-pki');
      const s = new OPCUAServer(serverOptions(config, parseUsers(credentials?.users), pki));
      await s.initialize();
      const addressSpace = s.engine.addressSpace;
      if (!addressSpace) throw new Error('the OPC UA server has no address space');
      const namespace = addressSpace.registerNamespace(config.namespace);
      space = new TwinSpace(namespace, model, config.writers, onWrite);
      await s.start();
      server = s;
      const url = `opc.tcp://${config.host}:${s.endpoints[0].port}${config.resourcePath}`;
      node.log(`listening on ${url} (${config.securityModes.join(', ')})`);
      status.show('green', 'dot', 'listening', { endpoint: endpointLabel(url) });
    })().catch((err: unknown) => {
      startError = toNodeError(RED, NS, err);
      status.error(startError);
      node.error(startError, { _msgid: messageId(), payload: {} });
      startErrorReported = true;
    });

    const handle = async (msg: InputMessage): Promise<void> => {
      await started;
      if (startError || !space) {
        // Said once through Catch; afterwards the red status says it, rather than an error per message.
        if (startErrorReported) return;
        startErrorReported = true;
        throw startError ?? new Error('not started');
      }
      const twin = msg.topic;
      if (typeof twin !== 'string' || !isValidName(twin))
        throw new TwinFlowError(
          'badTwinId',
          'msg.topic must be a twin id made of letters, digits, _ or -',
          {},
        );
      if (!isPlainObject(msg.payload))
        throw new TwinFlowError('badPayload', 'msg.payload must be an object of property values', {});
      const entries = Object.entries(msg.payload).filter(([property]) => isValidName(property));
      // Checked whole before anything is applied: a variable keeps the type it was created with.
      for (const [property, entry] of entries) {
        const value = isSample(entry) ? entry.value : entry;
        if (value !== null && value !== undefined && !space.fits(twin, property, value))
          throw new TwinFlowError(
            'typeMismatch',
            `${twin}.${property} is a ${space.typeOf(twin, property)} variable`,
            {
              property,
            },
          );
      }
      for (const [property, entry] of entries) {
        const sample = isSample(entry) ? entry : undefined;
        const value = sample ? sample.value : entry;
        const quality = sample?.quality ?? 'good';
        const timestamp = new Date(
          typeof sample?.sourceTimestamp === 'number' ? sample.sourceTimestamp : clock.now(),
        );
        const key = `${twin}.${property}`;
        const known = space.values.get(key);
        if (value === null || value === undefined) {
          if (known) space.values.set(key, { ...known, quality, timestamp });
          continue;
        }
        if (space.ensure(twin, property, value)) space.values.set(key, { value, quality, timestamp });
      }
    };

    node.on(
      'input',
      handleInput(RED, node, NS, handle, (e) => status.error(e)) as (msg: NodeMessageInFlow) => void,
    );
    node.on('close', (_removed: boolean, done: () => void) => {
      status.close();
      void started
        .then(() => server?.shutdown(0))
        .then(
          () => done(),
          () => done(),
        );
    });
  }
  RED.nodes.registerType('twin-opcua-server', TwinOpcuaServer, {
    credentials: { users: { type: 'password' } },
  });
};
