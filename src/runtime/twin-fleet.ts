import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { isPlainObject } from '../core/envelope';
import { TwinFlowError } from '../core/errors';
import { migrateConfig } from '../core/nodes/migrate';
import { MIGRATIONS, parse, type TwinFleetSettings } from '../core/nodes/twin-fleet';
import { ownerTopic } from '../core/fleet/topics';
import { clockFor } from './shared/clock';
import { handleInput, type InputMessage, type Send } from './shared/input';
import { translate } from './shared/i18n';
import { statusFor } from './shared/status';
import { FleetConnection } from './fleet/connection';
import { FleetMember } from './fleet/member';
import { FleetMirror } from './fleet/mirror';
import type { TwinModelNode } from './model/model-node';
import type { BrokerNode } from './uns/broker-node';
import { messageId } from './shared/message-id';

/** How long a connection may fail before it is logged (a broker restart or a deploy before the broker is up). */
const LOG_AFTER_MS = 3000;

type Outgoing = NodeMessageInFlow & Record<string, unknown>;

/**
 * A fleet member (owner or standby of a partition) or a fleet mirror; see core/nodes/twin-fleet. The member's
 * output 1 carries accepted commands as `desire` messages for twin-state, output 2 its role changes (wire them to
 * start or stop sources on a standby). The mirror's output 1 carries the owners' answers to its writes, output 2
 * partitions going offline and coming back.
 */
export = function register(RED: NodeAPI): void {
  function TwinFleet(this: Node, raw: NodeDef & Partial<TwinFleetSettings>): void {
    RED.nodes.createNode(this, raw);
    const node = this;
    const settings = migrateConfig<TwinFleetSettings>(raw, MIGRATIONS);
    const clock = clockFor(RED);
    const status = statusFor(RED, node, 'twin-fleet', clock);
    const broker = RED.nodes.getNode(settings.broker) as BrokerNode | null;
    const modelNode = RED.nodes.getNode(settings.model) as TwinModelNode | null;
    const parsed = parse(settings);
    const send = (output: 0 | 1, msg: Record<string, unknown>): void => {
      const out: (Outgoing | null)[] = [null, null];
      out[output] = { _msgid: messageId(), ...msg } as Outgoing;
      node.send(out);
    };

    let problem: string | undefined;
    if ('errors' in parsed) problem = parsed.errors.join('; ');
    else if (!broker?.connection)
      problem = translate(RED, 'twin-fleet.errors.noBroker', 'No MQTT broker is configured');
    else if (!modelNode?.store || !modelNode.model)
      problem = translate(RED, 'twin-fleet.errors.noModel', 'No valid twin model is configured');
    if (
      problem !== undefined ||
      'errors' in parsed ||
      !broker?.connection ||
      !modelNode?.store ||
      !modelNode.model
    ) {
      status.error(problem ?? '');
      node.error(problem);
      node.on(
        'input',
        handleInput(
          RED,
          node,
          'twin-fleet',
          () => {
            throw new TwinFlowError('notConfigured', problem ?? '');
          },
          status.error,
        ) as (msg: NodeMessageInFlow) => void,
      );
      return;
    }
    const config = parsed.config;
    const store = modelNode.store;
    const member = config.member || settings.name || node.id;
    const options = broker.connection.options;
    const connection = new FleetConnection(
      { ...options, clientId: `twinflow-fleet-${member}-${RED.util.generateId().slice(0, 6)}` },
      { topic: ownerTopic(config.prefix, member), payload: JSON.stringify({ state: 'offline', member }) },
      clock,
    );

    let role = 'standby';
    const show = (): void => {
      if (!connection.connected) return status.show('yellow', 'ring', 'connecting');
      if (mirror) return status.show('green', 'dot', 'mirroring', { twins: store.size });
      status.show('green', role === 'owner' ? 'dot' : 'ring', role, { twins: store.size });
    };
    // A connection failing for longer than a broker restart is logged once (and reaches Catch), naming the broker.
    let failingSince: number | undefined;
    let reported = false;
    connection.on('state', (state, detail) => {
      if (state === 'connected') {
        failingSince = undefined;
        reported = false;
      } else {
        failingSince ??= clock.now();
        // A refusal (TLS trust, a missing client certificate) is reported at once: it will not cure itself.
        if (!reported && (state === 'refused' || clock.now() - failingSince >= LOG_AFTER_MS)) {
          reported = true;
          const text = translate(
            RED,
            'twin-fleet.errors.connection',
            `Cannot reach the MQTT broker ${options.url}: ${detail}`,
            { url: options.url, reason: detail },
          );
          // With a message, so a Catch node sees it too.
          node.error(text, { _msgid: messageId(), topic: options.url, payload: detail });
        }
        status.show('red', 'ring', 'disconnected', { reason: detail });
        return;
      }
      show();
    });

    const mirror =
      config.role === 'mirror'
        ? new FleetMirror(config, connection, store, clock, {
            event: (event) =>
              send(event.event === 'online' || event.event === 'offline' ? 1 : 0, {
                topic: String(event.twin ?? event.partition),
                payload: event,
              }),
            warn: (text) => node.warn(text),
          })
        : undefined;
    const fleetMember = mirror
      ? undefined
      : new FleetMember(config, member, connection, store, modelNode.model, clock, {
          desire: (twin, property, value, clientToken) =>
            send(0, {
              topic: twin,
              action: 'desire',
              payload: { [property]: value },
              ...(clientToken !== undefined ? { clientToken } : {}),
            }),
          role: (next, epoch) => {
            role = next;
            show();
            send(1, { topic: config.prefix, payload: { role: next, epoch, member } });
          },
          warn: (text) => node.warn(text),
        });
    // twin-state on a mirrored model reads its twins and sends its writes here (see RemoteTwins).
    if (mirror) modelNode.remote = mirror;
    const refresh = clock.setInterval(show, 1000);
    show();

    const handle = (msg: InputMessage, sendMsg: Send): void | Promise<void> => {
      if (msg.action === 'stats') {
        if (msg.reset === true) mirror?.resetLag();
        const stats = mirror
          ? mirror.stats()
          : {
              role,
              published: fleetMember?.published,
              pending: fleetMember?.pendingCommands,
              twins: store.size,
            };
        sendMsg([Object.assign(msg, { payload: stats }), null]);
        return;
      }
      if (mirror) {
        if (typeof msg.topic !== 'string' || !isPlainObject(msg.payload))
          throw new TwinFlowError(
            'badWrite',
            'a write to a remote twin needs msg.topic (twin id) and msg.payload (values)',
          );
        return mirror.desire(
          msg.topic,
          msg.payload,
          typeof msg.clientToken === 'string' ? msg.clientToken : undefined,
        );
      }
      if (!isPlainObject(msg.twin) || typeof msg.twin.id !== 'string')
        throw new TwinFlowError('noTwin', 'msg.twin must be a twin-state output (with the whole twin)');
      fleetMember?.publishTwin(msg.twin as { id: string });
    };
    node.on(
      'input',
      handleInput(RED, node, 'twin-fleet', handle, status.error) as (msg: NodeMessageInFlow) => void,
    );
    node.on('close', (_removed: boolean, done: () => void) => {
      clock.clearInterval(refresh);
      status.close();
      if (mirror && modelNode.remote === mirror) delete modelNode.remote;
      Promise.resolve((mirror ?? fleetMember)?.close()).then(done, done);
    });
  }
  RED.nodes.registerType('twin-fleet', TwinFleet);
};
