import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import type { ClientSession, NodeId } from 'node-opcua';
import { isPlainObject } from '../core/envelope';
import { TwinFlowError } from '../core/errors';
import {
  defineMapping,
  expandMapping,
  qualityOf,
  toEngineering,
  type MappedItem,
  type Mapping,
} from '../core/opcua/mapping';
import type { OpcuaEndpointNode } from './opcua/endpoint-node';
import { monitorItems, readAll, type Reading } from './opcua/monitor';
import { resolveItems } from './opcua/resolve';
import { writeDesired } from './opcua/write';
import { clockFor } from './shared/clock';
import { toNodeError } from './shared/i18n';
import { handleInput, type InputMessage, type Send } from './shared/input';
import { shortText } from './shared/status';
import { migrateConfig, type Migration } from '../core/nodes/migrate';

interface MapConfig extends NodeDef {
  version: number;
  endpoint: string;
  /** JSON: {namespace?, properties: [...], instances: [...]} */
  mapping: string;
}

const MIGRATIONS: readonly Migration<MapConfig>[] = [{ to: 1, up: (c) => ({ mapping: '', ...c }) }];

type Resolved = { item: MappedItem; nodeId?: NodeId };

export = function register(RED: NodeAPI): void {
  function TwinOpcuaMap(this: Node, raw: MapConfig): void {
    RED.nodes.createNode(this, raw);
    const node = this;
    const config = migrateConfig<MapConfig>(raw, MIGRATIONS);
    const clock = clockFor(RED);
    const endpoint = RED.nodes.getNode(config.endpoint) as OpcuaEndpointNode | null;
    const connection = endpoint?.connection;
    let mapping: Mapping | undefined;
    let items: MappedItem[] = [];
    let configError: Error | undefined;
    try {
      mapping = defineMapping(JSON.parse(config.mapping || '{}'));
      items = expandMapping(mapping);
    } catch (err) {
      configError = toNodeError(
        RED,
        'twin-opcua-map',
        err instanceof SyntaxError
          ? new TwinFlowError('badMapping', 'the mapping is not valid JSON', { what: 'json' })
          : err,
      );
    }
    /** twin -> property -> resolved item, for write-back; nodeId string -> item, for contrib-opcua messages. */
    let byTwin = new Map<string, Map<string, Resolved>>();
    let byNodeId = new Map<string, MappedItem>();
    const typeCache = new Map<string, string>();
    let stopMonitoring: (() => Promise<void>) | undefined;
    let itemErrors = 0;
    /** Consecutive failed attempts per item: nodes can appear later (a PLC still starting), so failures are retried. */
    const failures = new Map<string, number>();
    let retryTimer: unknown;
    const RETRY_MS = 5000;
    const WARN_AFTER = 3;
    const itemFailed = (item: MappedItem, status: string): void => {
      itemErrors++;
      const key = `${item.twin}.${item.property}`;
      const count = (failures.get(key) ?? 0) + 1;
      failures.set(key, count);
      // Said once, and only when it keeps failing: a node that appears a second later is not worth a warning.
      if (count === WARN_AFTER)
        node.warn(`${key}: ${status} (still failing after ${WARN_AFTER} attempts; retrying)`);
    };
    let generation = 0;

    // Readings are coalesced per twin and sent together on the next turn: one message per twin per publish.
    let pending = new Map<string, Record<string, unknown>>();
    let flushScheduled = false;
    const flush = (): void => {
      flushScheduled = false;
      const batch = pending;
      pending = new Map();
      for (const [twin, payload] of batch) {
        node.send([
          { _msgid: RED.util.generateId(), topic: twin, payload } as unknown as NodeMessageInFlow,
          null,
        ]);
      }
    };
    const emitReading = (r: Reading): void => {
      const payload = pending.get(r.item.twin) ?? {};
      const sample: Record<string, unknown> = {
        value: r.value,
        quality: r.quality,
        statusCode: r.statusCode,
      };
      if (r.item.unit) sample.unit = r.item.unit;
      if (r.sourceTimestamp !== undefined) sample.sourceTimestamp = r.sourceTimestamp;
      if (r.serverTimestamp !== undefined) sample.serverTimestamp = r.serverTimestamp;
      payload[r.item.property] = sample;
      pending.set(r.item.twin, payload);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    };

    const showState = (): void => {
      if (configError)
        return void node.status({ fill: 'red', shape: 'ring', text: shortText(configError.message) });
      if (!connection) return void node.status({ fill: 'red', shape: 'ring', text: 'no endpoint' });
      const s = connection.state;
      if (s === 'connected') {
        node.status({
          fill: itemErrors ? 'yellow' : 'green',
          shape: 'dot',
          text: `${items.length - itemErrors} items${itemErrors ? `, ${itemErrors} failed` : ''}`,
        });
      } else if (s === 'error')
        node.status({ fill: 'red', shape: 'ring', text: shortText(connection.lastError || 'error') });
      else node.status({ fill: 'yellow', shape: 'ring', text: s });
    };

    /** onSession reports its own failures; anything else that escapes it is logged, never left unhandled. */
    const report = (err: unknown): void => node.error(toNodeError(RED, 'twin-opcua-map', err));
    const onSession = async (session: ClientSession, namespaces: string[]): Promise<void> => {
      if (!mapping) return;
      const mine = ++generation;
      const stop = stopMonitoring;
      stopMonitoring = undefined;
      await stop?.();
      try {
        const resolved = await resolveItems(session, namespaces, items, mapping.namespace);
        if (mine !== generation) return;
        byTwin = new Map();
        byNodeId = new Map();
        itemErrors = 0;
        const good: { item: MappedItem; nodeId: NodeId }[] = [];
        for (const r of resolved) {
          const twinMap = byTwin.get(r.item.twin) ?? new Map<string, Resolved>();
          twinMap.set(r.item.property, r);
          byTwin.set(r.item.twin, twinMap);
          if (r.nodeId) {
            good.push({ item: r.item, nodeId: r.nodeId });
            byNodeId.set(r.nodeId.toString(), r.item);
          } else {
            itemFailed(r.item, r.error ?? 'unresolved');
            emitReading({
              item: r.item,
              value: null,
              quality: 'bad',
              statusCode: 'BadNodeIdUnknown',
              sourceTimestamp: clock.now(),
            });
          }
        }
        const stopItems = await monitorItems(session, good, emitReading, itemFailed);
        // Keep-alive reads for by-exception sources: constant values would otherwise go stale in the twin.
        const refreshMs = (mapping.refresh ?? 0) * 1000;
        const refreshTimer =
          refreshMs > 0
            ? clock.setInterval(() => {
                if (mine === generation && connection?.session === session)
                  readAll(session, good, emitReading).catch(() => undefined);
              }, refreshMs)
            : undefined;
        stopMonitoring = async () => {
          if (refreshTimer !== undefined) clock.clearInterval(refreshTimer);
          await stopItems();
        };
        // Fresh values after every (re)connect, not only the next changes.
        await readAll(session, good, emitReading);
        if (itemErrors === 0) failures.clear();
        else if (retryTimer === undefined) {
          retryTimer = clock.setTimeout(() => {
            retryTimer = undefined;
            if (connection?.session) onSession(connection.session, connection.namespaceArray).catch(report);
          }, RETRY_MS);
        }
        showState();
      } catch (err) {
        // The connection dropped while subscribing: the next 'session' event rebuilds everything, nothing to report.
        if (mine !== generation || !connection?.session) return;
        const error = toNodeError(RED, 'twin-opcua-map', err);
        node.error(error);
        node.status({ fill: 'red', shape: 'ring', text: shortText(error.message) });
      }
    };

    /** Connection lost: every mapped property is reported with bad quality; the status is never silently green. */
    const onLost = (status: string): void => {
      const now = clock.now();
      for (const item of items)
        emitReading({ item, value: null, quality: 'bad', statusCode: status, sourceTimestamp: now });
      showState();
    };

    const sessionListener = (session: ClientSession, namespaces: string[]): void => {
      onSession(session, namespaces).catch(report);
    };
    if (connection && !configError) {
      connection.on('state', showState);
      connection.on('session', sessionListener);
      connection.on('lost', onLost);
      connection.acquire();
      if (connection.session) sessionListener(connection.session, connection.namespaceArray);
    }
    showState();

    /** node-red-contrib-opcua's client messages: msg.topic a NodeId, msg.payload the value. */
    const fromContribOpcua = (msg: InputMessage, send: Send): boolean => {
      if (typeof msg.topic !== 'string' || !/^(ns=|nsu=|i=|s=)/.test(msg.topic)) return false;
      const key = msg.topic.split(';datatype=')[0];
      const item = byNodeId.get(key) ?? items.find((i) => 'nodeId' in i.address && i.address.nodeId === key);
      if (!item) throw new TwinFlowError('unmappedNode', `${key} is not in the mapping`, { nodeId: key });
      const status =
        typeof msg.statusCode === 'string'
          ? msg.statusCode
          : ((msg.statusCode as { name?: string } | undefined)?.name ?? 'Good');
      const quality = qualityOf(status);
      let value = msg.payload;
      if (typeof value === 'number' && item.scale) value = toEngineering(value, item.scale);
      const sample: Record<string, unknown> = {
        value: quality === 'bad' ? null : value,
        quality,
        statusCode: status,
      };
      if (item.unit) sample.unit = item.unit;
      const ts = msg.sourceTimestamp;
      if (ts instanceof Date || typeof ts === 'number' || typeof ts === 'string')
        sample.sourceTimestamp = new Date(ts).getTime();
      send([
        {
          _msgid: RED.util.generateId(),
          topic: item.twin,
          payload: { [item.property]: sample },
        } as unknown as NodeMessageInFlow,
        null,
      ]);
      return true;
    };

    const handle = async (msg: InputMessage, send: Send): Promise<void> => {
      if (configError) throw configError;
      if (fromContribOpcua(msg, send)) return;
      // Write-back: a twin-state delta (msg.topic = twin id, msg.payload = {property: desired value}).
      const twin = String(msg.topic ?? '');
      if (!isPlainObject(msg.payload))
        throw new TwinFlowError('badWrite', 'msg.payload must be an object of desired values', {});
      const properties = byTwin.get(twin);
      if (!properties && !items.some((i) => i.twin === twin)) {
        throw new TwinFlowError('unknownTwin', `twin ${twin} is not in the mapping`, { twin });
      }
      const acks = await writeDesired(connection?.session, msg.payload, properties ?? new Map(), typeCache);
      send([
        null,
        {
          _msgid: RED.util.generateId(),
          topic: twin,
          action: 'ack',
          payload: acks,
        } as unknown as NodeMessageInFlow,
      ]);
    };

    node.on('input', handleInput(RED, node, 'twin-opcua-map', handle) as (msg: NodeMessageInFlow) => void);
    node.on('close', (_removed: boolean, done: () => void) => {
      generation++;
      if (retryTimer !== undefined) clock.clearTimeout(retryTimer);
      retryTimer = undefined;
      connection?.off('state', showState);
      connection?.off('session', sessionListener);
      connection?.off('lost', onLost);
      const stop = stopMonitoring;
      stopMonitoring = undefined;
      Promise.resolve(stop?.())
        .then(() => connection?.release())
        .then(
          () => done(),
          () => done(),
        );
    });
  }
  RED.nodes.registerType('twin-opcua-map', TwinOpcuaMap);
};
