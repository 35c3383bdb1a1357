import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import type { ClientSession } from 'node-opcua';
import { isPlainObject } from '../core/envelope';
import { TwinFlowError } from '../core/errors';
import { migrateConfig } from '../core/nodes/migrate';
import { MIGRATIONS, parse, type MapSettings } from '../core/nodes/twin-opcua-map';
import { expandMapping, type MappedItem } from '../core/opcua/mapping';
import { endpointLabel, itemSummary } from '../core/opcua/status-text';
import { fromContribOpcua } from './opcua/contrib-message';
import type { OpcuaEndpointNode } from './opcua/endpoint-node';
import { MapSession } from './opcua/map-session';
import { twinBatcher } from './opcua/batch';
import { sampleFrom } from './opcua/sample';
import { writeDesired } from './opcua/write';
import { clockFor } from './shared/clock';
import { toNodeError } from './shared/i18n';
import { handleInput, type InputMessage, type Send } from './shared/input';
import { statusFor } from './shared/status';
import { messageId } from './shared/message-id';

const NS = 'twin-opcua-map';

export = function register(RED: NodeAPI): void {
  function TwinOpcuaMap(this: Node, raw: NodeDef & Partial<MapSettings>): void {
    RED.nodes.createNode(this, raw);
    const node = this;
    const clock = clockFor(RED);
    const status = statusFor(RED, node, NS, clock, undefined, 64);
    const parsed = parse(migrateConfig<MapSettings>(raw, MIGRATIONS));
    const endpoint = RED.nodes.getNode(String(raw.endpoint ?? '')) as OpcuaEndpointNode | null;
    const connection = endpoint?.connection;
    const configError =
      'errors' in parsed
        ? toNodeError(
            RED,
            NS,
            new TwinFlowError('badMapping', parsed.errors.join('; '), { what: parsed.errors[0] }),
          )
        : (endpoint?.configError ??
          (connection ? undefined : new TwinFlowError('noEndpoint', 'no endpoint', {})));
    const config = 'config' in parsed ? parsed.config : undefined;
    const items: MappedItem[] = config ? expandMapping(config.mapping) : [];
    const where = endpointLabel(endpoint?.url ?? '');
    let current: MapSession | undefined;
    let generation = 0;

    const emitReading = twinBatcher((twin, payload) =>
      node.send([{ _msgid: messageId(), topic: twin, payload } as unknown as NodeMessageInFlow, null]),
    );

    /** An error for Catch (node.error with a message) that is not the answer to an input message. */
    const report = (err: TwinFlowError, topic: string): void => {
      const error = toNodeError(RED, NS, err);
      node.error(error, { _msgid: messageId(), topic, payload: { ...err.details } });
    };

    const showState = (): void => {
      if (configError) return status.error(configError);
      const s = connection?.state ?? 'idle';
      if (s === 'connected' && current) {
        const fill = current.bad ? 'yellow' : 'green';
        status.show(fill, 'dot', 'connected', {
          endpoint: where,
          items: itemSummary(current.total, current.bad),
        });
      } else if (s === 'disconnected')
        status.show('red', 'ring', 'disconnected', { endpoint: where, cause: connection?.cause ?? '' });
      else
        status.show('yellow', 'ring', s === 'reconnecting' ? 'reconnecting' : 'connecting', {
          endpoint: where,
        });
    };

    const onSession = async (session: ClientSession, namespaces: string[]): Promise<void> => {
      if (!config) return;
      const mine = ++generation;
      await current?.stop();
      const mapSession = new MapSession(session, namespaces, config.mapping, items, config, clock, {
        reading: emitReading,
        itemBad: (item, code, first) => {
          if (first)
            report(
              new TwinFlowError('badItem', `${item.twin}.${item.property}: ${code}`, {
                twin: item.twin,
                property: item.property,
                statusCode: code,
              }),
              item.twin,
            );
        },
        changed: showState,
      });
      current = mapSession;
      try {
        await mapSession.start();
      } catch (err) {
        // The connection dropped while subscribing: the next session rebuilds everything, nothing to report.
        if (mine !== generation || !connection?.session) return;
        report(
          new TwinFlowError('subscribeFailed', `${where}: ${(err as Error).message}`, { endpoint: where }),
          '',
        );
      }
    };

    const onFailure = (cause: string): void => {
      report(
        new TwinFlowError('disconnected', `${endpoint?.url}: ${cause}`, {
          endpoint: endpoint?.url ?? '',
          cause,
        }),
        '',
      );
      showState();
    };
    /** Connection lost (once per episode): every mapped property bad, once, so twins go stale without flapping. */
    const onLost = (code: string): void => {
      current?.stop().catch(() => undefined); // a session on a dead server: nothing to wait for
      current = undefined;
      const now = clock.now();
      for (const item of items) emitReading(item, sampleFrom(item, null, 'bad', code, now));
      showState();
    };
    const sessionListener = (session: ClientSession, namespaces: string[]): void => {
      onSession(session, namespaces).catch((err: unknown) => node.error(toNodeError(RED, NS, err)));
    };
    if (connection && !configError) {
      connection.on('state', showState);
      connection.on('session', sessionListener);
      connection.on('failure', onFailure);
      connection.on('lost', onLost);
      connection.acquire();
      if (connection.session) sessionListener(connection.session, connection.namespaceArray);
    }
    showState();

    const handle = async (msg: InputMessage, send: Send): Promise<void> => {
      if (configError) throw configError;
      const contrib = fromContribOpcua(msg, items, current, connection?.namespaceArray ?? []);
      if (contrib) {
        send([{ _msgid: messageId(), ...contrib } as unknown as NodeMessageInFlow, null]);
        return;
      }
      // Write-back: a twin-state delta (msg.topic = twin id, msg.payload = {property: desired value}).
      const twin = String(msg.topic ?? '');
      if (!isPlainObject(msg.payload))
        throw new TwinFlowError('badWrite', 'msg.payload must be an object of desired values', {});
      if (!items.some((i) => i.twin === twin))
        throw new TwinFlowError('unknownTwin', `twin ${twin} is not in the mapping`, { twin });
      const acks = await writeDesired(connection?.session, msg.payload, twin, items, current);
      send([
        null,
        {
          _msgid: messageId(),
          topic: twin,
          action: 'ack',
          payload: acks,
        } as unknown as NodeMessageInFlow,
      ]);
    };

    node.on(
      'input',
      handleInput(RED, node, NS, handle, (e) => status.error(e)) as (msg: NodeMessageInFlow) => void,
    );
    node.on('close', (_removed: boolean, done: () => void) => {
      generation++;
      status.close();
      connection?.off('state', showState);
      connection?.off('session', sessionListener);
      connection?.off('failure', onFailure);
      connection?.off('lost', onLost);
      const stopping = current?.stop();
      current = undefined;
      Promise.resolve(stopping)
        .then(() => connection?.release())
        .then(
          () => done(),
          () => done(),
        );
    });
  }
  RED.nodes.registerType('twin-opcua-map', TwinOpcuaMap);
};
