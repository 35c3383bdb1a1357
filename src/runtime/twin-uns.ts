import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPlainObject, isSample, type TwinChange } from '../core/envelope';
import { TwinFlowError, isTwinFlowError } from '../core/errors';
import { propertyOf, validateEntry } from '../core/twin';
import type { PublishItem } from '../core/uns/buffer';
import {
  commandSubscription,
  DEFAULT_TOPIC_TEMPLATE,
  parseCommandTopic,
  renderTopic,
} from '../core/uns/topic';
import { clockFor } from './shared/clock';
import { handleInput, type InputMessage } from './shared/input';
import { migrateConfig, type Migration } from './shared/migrate';
import type { TwinModelNode } from './twin/model-node';
import type { BrokerNode } from './uns/broker-node';
import { DiskOutbox } from './uns/disk-outbox';

interface UnsConfig extends NodeDef {
  version: number;
  broker: string;
  model: string;
  topic: string;
  qos: string | number;
  retain: boolean;
  publishTwin: boolean;
  commands: boolean;
  setSuffix: string;
  bufferSize: string | number;
}

const MIGRATIONS: readonly Migration<UnsConfig>[] = [
  {
    to: 1,
    up: (c) => ({
      topic: DEFAULT_TOPIC_TEMPLATE,
      qos: 1,
      retain: true,
      publishTwin: true,
      commands: true,
      setSuffix: 'set',
      bufferSize: 10000,
      ...c,
    }),
  },
];

/**
 * Publishes twins to a Unified Namespace over MQTT, by exception, and takes commands. Each changed property goes
 * to its own topic (ISA-95 levels from the twin model) as {value, unit, quality, timestamp}, retained so a new
 * subscriber sees the last value at once; the whole twin goes to .../{twin}/_twin. Desired values arrive on
 * .../{twin}/{property}/set, are checked against the model (writable, type, range, unit) and leave the node as
 * `desire` messages for twin-state; a refused command is answered on .../set/rejected with its reason.
 * While the broker is away, updates wait in a bounded outbox (oldest dropped first, counted in the status) and are
 * published in order on reconnect, marked historical.
 */
export = function register(RED: NodeAPI): void {
  function TwinUns(this: Node, raw: UnsConfig): void {
    RED.nodes.createNode(this, raw);
    const node = this;
    const config = migrateConfig<UnsConfig>(raw, MIGRATIONS);
    const clock = clockFor(RED);
    const broker = RED.nodes.getNode(config.broker) as BrokerNode | null;
    const modelNode = RED.nodes.getNode(config.model) as TwinModelNode | null;
    const connection = broker?.connection;
    const qos = (Number(config.qos) === 0 ? 0 : Number(config.qos) === 2 ? 2 : 1) as 0 | 1 | 2;
    // On disk in the user dir, per node: what waits for the broker survives a restart of Node-RED too.
    const userDir = (RED.settings as unknown as { userDir?: string }).userDir ?? tmpdir();
    const box = new DiskOutbox(
      join(userDir, 'twinflow-outbox', `${node.id}.jsonl`),
      Number(config.bufferSize) || 10000,
    );
    if (box.unreadable > 0) node.warn(`outbox: ${box.unreadable} unreadable lines skipped`);
    const hierarchy = () => modelNode?.model?.hierarchy ?? {};
    let flushing = false;

    const status = (): void => {
      if (!connection) return void node.status({ fill: 'red', shape: 'ring', text: 'no broker' });
      const dropped = box.state.dropped ? `, ${box.state.dropped} dropped` : '';
      if (connection.connected && box.length === 0)
        node.status({ fill: 'green', shape: 'dot', text: `connected${dropped}` });
      else if (connection.connected)
        node.status({ fill: 'green', shape: 'ring', text: `sending ${box.length} buffered${dropped}` });
      else node.status({ fill: 'yellow', shape: 'ring', text: `buffering ${box.length}${dropped}` });
    };

    const flush = async (): Promise<void> => {
      if (flushing || !connection?.connected) return;
      flushing = true;
      // Oldest first, each removed only once the broker has it: a broker lost again mid-flush keeps the rest, in
      // order, and updates arriving meanwhile queue behind them.
      let sent = 0;
      try {
        while (sent < box.length && connection.connected) {
          const item = box.state.items[sent];
          // Marked historical: a consumer can tell a replay from a live value.
          const payload = JSON.stringify({ ...(JSON.parse(item.payload) as object), historical: true });
          await connection.publish(item.topic, payload, item.qos, item.retain);
          sent++;
        }
      } catch {
        // the broker went away again: what is left waits for the next connection
      } finally {
        box.delivered(sent);
        flushing = false;
        status();
      }
    };

    const publish = (item: PublishItem): void => {
      if (connection?.connected && box.length === 0 && !flushing) {
        connection.publish(item.topic, item.payload, item.qos, item.retain).catch(() => {
          box.add(item);
          status();
        });
      } else {
        box.add(item);
        status();
      }
    };

    const onCommand = (topic: string, raw: Buffer): void => {
      if (!config.commands) return;
      const target = parseCommandTopic(config.topic, hierarchy(), config.setSuffix, topic);
      if (!target) return;
      const reject = (reason: string) =>
        publish({
          topic: `${topic}/rejected`,
          payload: JSON.stringify({ reason, timestamp: clock.now() }),
          qos,
          retain: false,
        });
      try {
        const model = modelNode?.model;
        if (!model) throw new TwinFlowError('noModel', 'no twin model is configured on the bridge', {});
        const def = propertyOf(model, target.property);
        if (!def.writable)
          throw new TwinFlowError('notWritable', `${target.property} is not writable`, {
            property: target.property,
          });
        let value: unknown;
        try {
          value = JSON.parse(raw.toString('utf8'));
        } catch {
          value = raw.toString('utf8');
        }
        const entry = isPlainObject(value) && 'value' in value ? value : { value };
        const checked = validateEntry(def, isSample(entry) ? entry : { value: entry });
        node.send({
          _msgid: RED.util.generateId(),
          topic: target.twin,
          action: 'desire',
          payload: { [target.property]: checked.value },
        } as unknown as NodeMessageInFlow);
      } catch (err) {
        reject(isTwinFlowError(err) ? err.message : String(err));
      }
    };

    const onState = (): void => {
      status();
      if (connection?.connected) void flush();
    };
    if (connection) {
      connection.on('state', onState);
      connection.on('message', onCommand);
      connection.acquire();
      if (config.commands)
        connection.subscribe(commandSubscription(config.topic, hierarchy(), config.setSuffix));
    }
    status();

    const handle = (msg: InputMessage): void => {
      if (!connection) throw new TwinFlowError('noBroker', 'no MQTT broker is configured', {});
      const twin = msg.topic;
      if (typeof twin !== 'string' || twin === '')
        throw new TwinFlowError('noTwinId', 'msg.topic must be the twin id', {});
      if (!isPlainObject(msg.payload))
        throw new TwinFlowError('badPayload', 'msg.payload must be an object of property samples', {});
      const payload = msg.payload;
      // By exception: only what twin-state says changed; a message without changes (straight from a source) publishes all.
      const changes = Array.isArray(msg.changes) ? (msg.changes as TwinChange[]) : undefined;
      const names = changes
        ? [...new Set(changes.filter((c) => c.path.startsWith('reported.')).map((c) => c.path.split('.')[1]))]
        : Object.keys(payload);
      const now = clock.now();
      const units = modelNode?.model?.properties;
      for (const property of names) {
        if (!Object.prototype.hasOwnProperty.call(payload, property)) continue;
        const entry = payload[property];
        const sample = isSample(entry) ? entry : { value: entry };
        const unit = sample.unit ?? units?.[property]?.unit;
        const body = {
          value: sample.value,
          ...(unit ? { unit } : {}),
          quality: sample.quality ?? 'good',
          timestamp: typeof sample.sourceTimestamp === 'number' ? sample.sourceTimestamp : now,
        };
        publish({
          topic: renderTopic(config.topic, { ...hierarchy(), twin, property }),
          payload: JSON.stringify(body),
          qos,
          retain: config.retain,
        });
      }
      if (config.publishTwin && isPlainObject(msg.twin)) {
        publish({
          topic: renderTopic(config.topic, { ...hierarchy(), twin, property: '_twin' }),
          payload: JSON.stringify(msg.twin),
          qos,
          retain: config.retain,
        });
      }
    };

    node.on('input', handleInput(RED, node, 'twin-uns', handle) as (msg: NodeMessageInFlow) => void);
    node.on('close', (_removed: boolean, done: () => void) => {
      connection?.off('state', onState);
      connection?.off('message', onCommand);
      Promise.resolve(connection?.release()).then(
        () => done(),
        () => done(),
      );
    });
  }
  RED.nodes.registerType('twin-uns', TwinUns);
};
