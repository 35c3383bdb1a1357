import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TwinFlowError } from '../core/errors';
import { migrateConfig } from '../core/nodes/migrate';
import { MIGRATIONS, parse, type UnsSettings } from '../core/nodes/twin-uns';
import { AWS_DELTA_SUBSCRIPTION } from '../core/uns/aws';
import type { PublishItem } from '../core/uns/buffer';
import { busyRefusal, commandReader, decideCommand } from '../core/uns/commands';
import type { IncomingCommand, Refusal } from '../core/uns/commands';
import { checkPublishItem, planPublish } from '../core/uns/plan';
import { edgeState, sparkplugTopic } from '../core/uns/sparkplug/edge';
import { checkTopicName, commandSubscription } from '../core/uns/topic';
import { clockFor } from './shared/clock';
import { handleInput, type InputMessage } from './shared/input';
import { acceptPlainObject } from './shared/plain-data';
import { statusFor } from './shared/status';
import type { TwinModelNode } from './model/model-node';
import type { BrokerNode } from './uns/broker-node';
import type { BrokerConnection, BrokerState } from './uns/client';
import { CommandIntake } from './uns/command-intake';
import { DiskOutbox } from './uns/disk-outbox';
import { OutboxPublisher } from './uns/outbox-publisher';
import { RefusalReplies } from './uns/refusal-replies';
import { bdSeqStore, SparkplugEdge } from './uns/sparkplug-edge';
import { messageId } from './shared/message-id';

type Values = Record<string, unknown>;

/**
 * Publishes twins to a Unified Namespace over MQTT, by exception (planned in core/uns/plan), and takes commands
 * (decided in core/uns/commands). What the broker cannot take (a topic over 65,535 bytes, a wildcard, a message over
 * the broker's maximum packet size) is refused at the door: an error at Catch, nothing queued. While the broker is
 * away, updates wait in a bounded outbox on disk and go out in order on reconnect (OutboxPublisher); an item the
 * broker still refuses after a few tries leaves as a dead letter (second output), and the rest keeps flowing.
 */
export = function register(RED: NodeAPI): void {
  function TwinUns(this: Node, raw: NodeDef & Partial<UnsSettings>): void {
    RED.nodes.createNode(this, raw);
    const node = this;
    const clock = clockFor(RED);
    const status = statusFor(RED, node, 'twin-uns', clock);
    const parsed = parse(migrateConfig<UnsSettings>(raw, MIGRATIONS));
    const broker = RED.nodes.getNode(String(raw.broker)) as BrokerNode | null;
    const modelNode = RED.nodes.getNode(String(raw.model)) as TwinModelNode | null;
    const problem = 'errors' in parsed ? parsed.errors.join('; ') : broker?.configError;
    if ('errors' in parsed || problem || !broker?.connection) {
      const error = problem ?? 'no MQTT broker is configured';
      status.error(error);
      const refuse = (): never => {
        throw new TwinFlowError('noBroker', error, {});
      };
      node.on('input', handleInput(RED, node, 'twin-uns', refuse, status.error) as never);
      node.on('close', (_removed: boolean, done: () => void) => (status.close(), done()));
      return;
    }
    const config = parsed.config;
    const base = broker.connection;
    const sendMsg = (msg: object, port = 0): void =>
      node.send([port === 0 ? msg : null, port === 1 ? msg : null] as unknown as NodeMessageInFlow);
    const userDir = (RED.settings as unknown as { userDir?: string }).userDir ?? tmpdir();
    const box = new DiskOutbox(
      join(userDir, 'twinflow-outbox', `${node.id}.jsonl`),
      config.bufferSize,
      3,
      (item, reason) => sendMsg({ ...item, error: { message: reason } }, 1),
    );
    if (box.unreadable > 0) node.warn(`outbox: ${box.unreadable} unreadable or invalid lines skipped`);
    const model = () => modelNode?.model;
    const hierarchy = () => model()?.hierarchy ?? {};
    const intake = new CommandIntake(
      config.commandQueue,
      clock,
      (twin, payload) => sendMsg({ _msgid: messageId(), topic: twin, action: 'desire', payload }),
      (err) => node.error(err),
      () => (connection?.backlog ?? 0) < 2 * config.commandQueue,
      (on) => (on ? connection?.holdIncoming() : connection?.releaseIncoming()),
    );
    let connection: BrokerConnection | undefined = config.layout === 'sparkplug' ? undefined : base;
    let refusal: string | undefined;

    const report = (): void => {
      if (refusal) return status.show('red', 'ring', 'refused', { reason: refusal });
      if (!connection) return status.show('yellow', 'ring', 'starting');
      const count = box.length;
      const dropped = box.state.dropped;
      const more = dropped ? 'Dropped' : '';
      if (connection.connected && count === 0)
        status.show('green', 'dot', `connected${more}`, { version: protocolName(), dropped });
      else if (connection.connected) status.show('green', 'ring', `sending${more}`, { count, dropped });
      else status.show('yellow', 'ring', `buffering${more}`, { count, dropped });
    };
    const protocolName = () => (connection?.protocolVersion === 4 ? 'MQTT 3.1.1' : 'MQTT 5');
    const outbox = new OutboxPublisher(box, () => connection, report);
    const publish = (item: PublishItem): void => outbox.publish(item);

    /** Replies to refused commands, bounded (RefusalReplies): busy ones coalesced per topic, at most 1,000 a second. */
    const replies = new RefusalReplies(clock, (n) => node.warn(`${n} refused commands not answered`));
    /** A refused command: answered where the layout answers (Sparkplug has no reply topic: a warning). */
    const answer = (command: IncomingCommand | undefined, twin: string, r: Refusal): void => {
      if (!command)
        return node.warn(`Sparkplug DCMD for ${twin.slice(0, 80)} refused: ${r.code}: ${r.reason}`);
      publish({ ...command.rejection(r, clock.now()), qos: config.qos, retain: false });
    };
    const refuseBusy = (key: string, command: IncomingCommand | undefined, twin: string): void =>
      replies.busy(key, (count) => answer(command, twin, busyRefusal(count)));
    /** Decided on arrival: refusals answered now, accepted values queued (CommandIntake: merged per twin). */
    const decide = (key: string, twin: string, values: Values, command?: IncomingCommand): void => {
      const exists = modelNode?.store?.get(twin) !== undefined;
      const ctx = { model: model(), exists, createUnknown: config.createUnknown };
      const { accepted, refused } = decideCommand(ctx, twin, values);
      for (const r of refused) replies.refuse(() => answer(command, twin, r));
      if (Object.keys(accepted).length > 0)
        intake.offer(twin, accepted, () => refuseBusy(key, command, twin));
    };
    const readCommand = commandReader(config, hierarchy());
    const onCommand = (topic: string, raw: Buffer): void => {
      const command = readCommand(topic, raw.toString('utf8'));
      if (command) decide(topic, command.twin, command.values, command);
    };

    const onState = (state: BrokerState, detail: string): void => {
      if (state === 'connected') refusal = undefined;
      // A refusal (version, credentials, TLS trust) will not cure itself: to Catch and the log, once per cause until
      // connected again, naming what failed. A broker that is just away shows as buffering; it is waited for.
      if (state === 'refused' && detail !== refusal) {
        node.error(detail, { _msgid: messageId(), payload: detail, topic: 'broker' });
      }
      if (state === 'refused') refusal = detail;
      report();
      if (state === 'connected') outbox.flush().catch((err: unknown) => node.error(err));
    };

    let edge: Promise<SparkplugEdge> | undefined;
    const edgeId = config.edgeNode || raw.name || node.id;
    if (config.layout === 'sparkplug') {
      edge = bdSeqStore(this.context().global, config.group, edgeId).then(({ bdSeq, persist }) => {
        const e = new SparkplugEdge(
          base.options,
          config.group,
          edgeId,
          clock,
          bdSeq,
          persist,
          (twin, values) => decide(twin, twin, values),
          (reason) => node.warn(`Sparkplug command ignored: ${reason}`),
        );
        connection = e.connection;
        connection.on('state', onState);
        e.start();
        return e;
      });
      edge.catch((err: unknown) => node.error(err));
    } else {
      base.on('state', onState);
      base.on('message', onCommand);
      base.acquire();
      if (config.commands)
        base.subscribe(
          config.layout === 'aws'
            ? AWS_DELTA_SUBSCRIPTION
            : commandSubscription(config.topic, hierarchy(), config.setSuffix),
        );
    }
    report();

    const handle = (msg: InputMessage): Promise<void> | undefined => {
      // Accepted by value (a function node's payload comes from another realm) and copied, before any planning.
      const input = { ...msg, payload: acceptPlainObject(msg.payload) };
      const plan = planPublish(config, model(), input, clock.now());
      if (plan.layout === 'sparkplug') {
        checkTopicName(sparkplugTopic(edgeState(config.group, edgeId), 'DBIRTH', plan.twin));
        return edge?.then((e) => e.update(plan.twin, plan.changed, plan.all));
      }
      // Every item checked before any is queued: a message is published whole or refused whole.
      const limit = Math.min(config.maxMessageBytes, connection?.maximumPacketSize ?? Infinity);
      for (const item of plan.items) checkPublishItem(item, limit);
      for (const item of plan.items) publish(item);
      return undefined;
    };

    node.on('input', handleInput(RED, node, 'twin-uns', handle, status.error) as never);
    node.on('close', (removed: boolean, done: () => void) => {
      intake.close();
      replies.close();
      status.close();
      connection?.off('state', onState);
      base.off('message', onCommand);
      if (removed) box.remove();
      const closing = edge ? edge.then((e) => e.close()) : base.release();
      closing.finally(done).catch(() => undefined);
    });
  }
  RED.nodes.registerType('twin-uns', TwinUns);
};
