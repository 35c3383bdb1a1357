import { types } from 'node:util';
import type { Node, NodeAPI, NodeMessageInFlow } from 'node-red';
import { isPlainObject } from '../core/envelope';
import { TwinFlowError } from '../core/errors';
import {
  applyAck,
  applyDesire,
  applyReport,
  checkTwinId,
  childrenOf,
  deleteReply,
  queryTwins,
  requestedAction,
  requestedHistory,
  requestOptions,
  type TwinAction,
  type TwinEvent,
  updateReplies,
} from '../core/twin';
import { clockFor } from './shared/clock';
import { evaluateProperty } from './shared/evaluate';
import { handleInput, type InputMessage, type Send } from './shared/input';
import { statusFor } from './shared/status';
import { then, type MaybePromise } from './shared/maybe-promise';
import { migrateConfig } from '../core/nodes/migrate';
import type { TwinModelNode } from './model/model-node';
import { reportedSamples, twinSummary } from '../core/twin/messages';
import { TWIN_STATE_MIGRATIONS, type TwinStateConfig } from './model/state-config';
import type { TwinStore } from './model/store';
import { messageId } from './shared/message-id';

type Outgoing = NodeMessageInFlow & Record<string, unknown>;

export = function register(RED: NodeAPI): void {
  function TwinStateNode(this: Node, raw: TwinStateConfig): void {
    RED.nodes.createNode(this, raw);
    const node = this;
    const config = migrateConfig<TwinStateConfig>(raw, TWIN_STATE_MIGRATIONS);
    const modelNode = RED.nodes.getNode(config.model) as TwinModelNode | null;
    const clock = clockFor(RED);
    // "N twins", or the last error with the count beside it until a message succeeds again (the one status policy).
    const status = statusFor(RED, node, 'twin-state', clock);
    // The count last offered to the status: a report to a known twin changes nothing to show (most messages).
    let offeredCount = -1;
    const showCount = (store: TwinStore): void => {
      if (store.size === offeredCount) return;
      offeredCount = store.size;
      status.show('green', 'dot', store.size === 1 ? 'oneTwin' : 'twins', { count: store.size });
    };
    const showError = (error: Error): void => {
      offeredCount = -1; // the next success shows the count again
      if (modelNode?.store)
        status.show('red', 'ring', 'failing', { count: modelNode.store.size, message: error.message });
      else status.error(error);
    };

    const storeOrThrow = (): TwinStore => {
      if (!modelNode) throw new TwinFlowError('noModel', 'no twin model is configured');
      if (modelNode.modelError) {
        const reason = modelNode.modelError.message;
        throw new TwinFlowError('modelInvalid', `the twin model is invalid: ${reason}`, { reason });
      }
      if (!modelNode.store) throw new TwinFlowError('noModel', 'no twin model is configured');
      return modelNode.store;
    };

    const eventMessage = (event: TwinEvent): Outgoing =>
      ({ topic: event.twin, payload: event, _msgid: messageId() }) as Outgoing;

    const sendStoreEvents = (events: TwinEvent[]): void => {
      node.send([null, null, events.map(eventMessage)]);
    };

    if (!modelNode) status.show('red', 'ring', 'noModel');
    else if (modelNode.modelError) status.error(modelNode.modelError);
    else if (modelNode.store) {
      const store = modelNode.store;
      store.ready.then(
        () => showCount(store),
        () => status.show('red', 'ring', 'storeFailed'),
      );
      store.on('events', sendStoreEvents);
    }

    // msg.<property> (the default, msg.topic) is read directly: the general evaluation costs a promise per message.
    // A plain property name (msg.topic, the default) is read as such: getMessageProperty parses the path anew for
    // every message.
    const directId = /^[A-Za-z_$][\w$]*$/.test(config.twinId) ? config.twinId : undefined;
    const twinIdOf = (msg: InputMessage): MaybePromise<string> =>
      config.twinIdType !== 'msg'
        ? evaluateProperty(RED, config.twinId, config.twinIdType, node, msg).then(checkTwinId)
        : checkTwinId(
            directId !== undefined && Object.prototype.hasOwnProperty.call(msg, directId)
              ? msg[directId]
              : RED.util.getMessageProperty(msg, config.twinId),
          );

    const applyUpdate = (
      store: TwinStore,
      msg: InputMessage,
      id: string,
      reducer: typeof applyReport,
      send: Send,
    ): MaybePromise<void> => {
      const options = requestOptions(msg, clock.now(), types.isProxy);
      return then(
        store.apply(id, (doc) => reducer(doc, store.model, id, msg.payload, options)),
        (result) => {
          const { changed, delta } = updateReplies(id, result, store.model, options.clientToken);
          send([
            changed ? Object.assign(msg, changed) : null,
            delta ? ({ _msgid: messageId(), ...delta } as Outgoing) : null,
            result.events.length > 0 ? result.events.map(eventMessage) : null,
          ]);
          showCount(store);
        },
      );
    };

    const handle = (msg: InputMessage, send: Send): MaybePromise<void> => {
      const store = storeOrThrow();
      if (!store.isLoaded) return store.ready.then(() => handle(msg, send));
      const action = requestedAction(config.action, msg.action);
      // Remote twins (a twin-fleet mirror fills this model): reads as usual, writes go to the owner as commands.
      const remote = modelNode?.remote;
      if (remote && (action === 'report' || action === 'ack'))
        throw new TwinFlowError(
          'readOnly',
          'these twins are mirrored from another instance and read-only here',
        );
      if (remote && action === 'desire')
        return then(twinIdOf(msg), (id) => remote.desire(id, isPlainObject(msg.payload) ? msg.payload : {}));
      if (action === 'report' || action === 'desire' || action === 'ack') {
        const reducer = action === 'report' ? applyReport : action === 'desire' ? applyDesire : applyAck;
        return then(twinIdOf(msg), (id) => applyUpdate(store, msg, id, reducer, send));
      }
      return handleRead(store, action, msg, send);
    };

    /** get, list, query and delete: rarer, and allowed the simplicity of async code. */
    const handleRead = async (
      store: TwinStore,
      action: TwinAction,
      msg: InputMessage,
      send: Send,
    ): Promise<void> => {
      const model = store.model;
      switch (action) {
        case 'get': {
          const id = await twinIdOf(msg);
          const doc = store.get(id);
          if (!doc) throw new TwinFlowError('unknownTwin', `no twin ${id}`, { twin: id });
          const reply: Outgoing = Object.assign(msg, {
            payload: reportedSamples(doc, model),
            twin: twinSummary(doc, model, childrenOf(store.documents(), id)),
          });
          if (msg.history !== undefined && msg.history !== false)
            reply.history = requestedHistory(doc, msg.history);
          send([reply, null, null]);
          break;
        }
        case 'list': {
          const parent = typeof msg.parent === 'string' ? msg.parent : undefined;
          const ids = store.ids().filter((id) => parent === undefined || store.get(id)?.parent === parent);
          send([Object.assign(msg, { payload: ids.sort() }), null, null]);
          break;
        }
        case 'query': {
          const text = (typeof msg.query === 'string' ? msg.query : msg.payload) as string;
          const found = queryTwins(store.documents(), text, model, clock.now());
          send([Object.assign(msg, { payload: found }), null, null]);
          break;
        }
        case 'delete': {
          const id = await twinIdOf(msg);
          const removed = await store.remove(id);
          if (!removed) throw new TwinFlowError('unknownTwin', `no twin ${id}`, { twin: id });
          send([
            Object.assign(msg, deleteReply(id, removed, model)),
            null,
            [eventMessage({ event: 'deleted', twin: id, timestamp: clock.now() })],
          ]);
          break;
        }
      }
      showCount(store);
    };

    node.on(
      'input',
      handleInput(RED, node, 'twin-state', handle, showError) as (msg: NodeMessageInFlow) => void,
    );
    node.on('close', (_removed: boolean, done: () => void) => {
      status.close();
      modelNode?.store?.off('events', sendStoreEvents);
      done();
    });
  }
  RED.nodes.registerType('twin-state', TwinStateNode);
};
