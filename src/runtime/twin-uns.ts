import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPlainObject, isSample, type TwinChange } from '../core/envelope';
import { TwinFlowError, isTwinFlowError } from '../core/errors';
import { propertyOf, validateEntry } from '../core/twin';
import {
  AWS_DELTA_SUBSCRIPTION,
  awsRejected,
  awsReported,
  awsUpdateTopic,
  parseAwsDelta,
} from '../core/uns/aws';
import type { PublishItem } from '../core/uns/buffer';
import type { PropertySample } from '../core/uns/sparkplug/edge';
import {
  commandSubscription,
  DEFAULT_TOPIC_TEMPLATE,
  parseCommandTopic,
  renderTopic,
} from '../core/uns/topic';
import { clockFor } from './shared/clock';
import { handleInput, type InputMessage } from './shared/input';
import { acceptPlainObject } from './shared/plain-data';
import { migrateConfig, type Migration } from '../core/nodes/migrate';
import type { TwinModelNode } from './twin/model-node';
import type { BrokerNode } from './uns/broker-node';
import { DiskOutbox } from './uns/disk-outbox';
import { SparkplugEdge } from './uns/sparkplug-edge';

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
  /** uns: one topic per property (ISA-95 template); aws: AWS IoT Device Shadow topics; sparkplug: Sparkplug B. */
  layout: 'uns' | 'aws' | 'sparkplug';
  /** Sparkplug group id and edge node id. */
  group: string;
  edgeNode: string;
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
      layout: 'uns',
      group: 'TwinFlow',
      edgeNode: '',
      ...c,
    }),
  },
  // Version 2 added the AWS shadow and Sparkplug B layouts; older flows keep the UNS layout.
  { to: 2, up: (c) => ({ ...c, layout: 'uns' }) },
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
    // Sparkplug: an edge node of its own (its MQTT will is its death certificate), with the broker's settings.
    const edge =
      config.layout === 'sparkplug' && broker?.connection
        ? new SparkplugEdge(
            broker.connection.options,
            config.group || 'TwinFlow',
            config.edgeNode || config.name || node.id,
            clock,
            (twin, values) =>
              desire(twin, values, (reason) => node.warn(`Sparkplug DCMD for ${twin} refused: ${reason}`)),
            (reason) => node.warn(`Sparkplug command ignored: ${reason}`),
          )
        : undefined;
    const connection = edge ? edge.connection : broker?.connection;
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
      try {
        await box.flush(
          (item) => {
            // Marked historical: a consumer can tell a replay from a live value.
            const payload = JSON.stringify({ ...(JSON.parse(item.payload) as object), historical: true });
            return connection.publish(item.topic, payload, item.qos, item.retain);
          },
          () => connection.connected,
        );
      } finally {
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

    /**
     * Desired values from outside (a /set topic, an AWS delta, a Sparkplug DCMD): each checked against the model
     * (writable, type, range, unit); the accepted ones leave as one `desire` for twin-state, each refused one is
     * answered with its reason.
     */
    const desire = (
      twin: string,
      values: Record<string, unknown>,
      reject: (reason: string) => void,
    ): void => {
      const model = modelNode?.model;
      if (!model) return reject('no twin model is configured on the bridge');
      const accepted: Record<string, unknown> = {};
      for (const [property, raw] of Object.entries(values)) {
        try {
          const def = propertyOf(model, property);
          if (!def.writable)
            throw new TwinFlowError('notWritable', `${property} is not writable`, { property });
          const entry = isPlainObject(raw) && 'value' in raw ? raw : { value: raw };
          accepted[property] = validateEntry(def, isSample(entry) ? entry : { value: entry }).value;
        } catch (err) {
          reject(isTwinFlowError(err) ? err.message : String(err));
        }
      }
      if (Object.keys(accepted).length === 0) return;
      node.send({
        _msgid: RED.util.generateId(),
        topic: twin,
        action: 'desire',
        payload: accepted,
      } as unknown as NodeMessageInFlow);
    };

    const parseBody = (raw: Buffer): unknown => {
      try {
        return JSON.parse(raw.toString('utf8'));
      } catch {
        return raw.toString('utf8');
      }
    };

    const onCommand = (topic: string, raw: Buffer): void => {
      if (!config.commands || edge) return;
      if (config.layout === 'aws') {
        const delta = parseAwsDelta(topic, parseBody(raw));
        if (!delta) return;
        desire(delta.twin, delta.state, (reason) => {
          const r = awsRejected(delta.twin, 400, reason, clock.now(), delta.clientToken);
          publish({ ...r, qos, retain: false });
        });
        return;
      }
      const target = parseCommandTopic(config.topic, hierarchy(), config.setSuffix, topic);
      if (!target) return;
      desire(target.twin, { [target.property]: parseBody(raw) }, (reason) =>
        publish({
          topic: `${topic}/rejected`,
          payload: JSON.stringify({ reason, timestamp: clock.now() }),
          qos,
          retain: false,
        }),
      );
    };

    const onState = (): void => {
      status();
      if (connection?.connected) flush().catch((err: unknown) => node.error(err));
    };
    if (edge) {
      connection?.on('state', status);
      edge.start();
    } else if (connection) {
      connection.on('state', onState);
      connection.on('message', onCommand);
      connection.acquire();
      if (config.commands) {
        connection.subscribe(
          config.layout === 'aws'
            ? AWS_DELTA_SUBSCRIPTION
            : commandSubscription(config.topic, hierarchy(), config.setSuffix),
        );
      }
    }
    status();

    const handle = (msg: InputMessage): void => {
      if (!connection) throw new TwinFlowError('noBroker', 'no MQTT broker is configured', {});
      const twin = msg.topic;
      if (typeof twin !== 'string' || twin === '')
        throw new TwinFlowError('noTwinId', 'msg.topic must be the twin id', {});
      if (!isPlainObject(msg.payload))
        throw new TwinFlowError('badPayload', 'msg.payload must be an object of property samples', {});
      const payload = acceptPlainObject(msg.payload);
      // By exception: only what twin-state says changed; a message without changes (straight from a source) publishes all.
      const changes = Array.isArray(msg.changes) ? (msg.changes as TwinChange[]) : undefined;
      const names = changes
        ? [...new Set(changes.filter((c) => c.path.startsWith('reported.')).map((c) => c.path.split('.')[1]))]
        : Object.keys(payload);
      const now = clock.now();
      const units = modelNode?.model?.properties;
      if (edge) {
        const sampleOf = (name: string): PropertySample => {
          const entry = payload[name];
          const sample = isSample(entry) ? entry : { value: entry };
          return {
            name,
            value: sample.value,
            quality: sample.quality ?? 'good',
            timestamp: typeof sample.sourceTimestamp === 'number' ? sample.sourceTimestamp : now,
            type: units?.[name]?.type,
          };
        };
        const own = (name: string) => Object.prototype.hasOwnProperty.call(payload, name);
        edge.update(twin, names.filter(own).map(sampleOf), Object.keys(payload).map(sampleOf));
        return;
      }
      if (config.layout === 'aws') {
        const reported: Record<string, unknown> = {};
        for (const property of names) {
          if (!Object.prototype.hasOwnProperty.call(payload, property)) continue;
          const entry = payload[property];
          reported[property] = isSample(entry) ? entry.value : entry;
        }
        if (Object.keys(reported).length > 0)
          publish({ topic: awsUpdateTopic(twin), payload: awsReported(reported), qos, retain: false });
        return;
      }
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
      connection?.off('state', status);
      connection?.off('message', onCommand);
      Promise.resolve(edge ? edge.close() : connection?.release()).then(
        () => done(),
        () => done(),
      );
    });
  }
  RED.nodes.registerType('twin-uns', TwinUns);
};
