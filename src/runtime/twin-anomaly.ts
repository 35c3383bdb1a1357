import type { Node, NodeAPI, NodeMessageInFlow } from 'node-red';
import {
  checkKey,
  createEngine,
  engineCommand,
  engineInit,
  engineProgress,
  engineRestore,
  engineUpdate,
  learningWanted,
  readSignals,
  type AnomalyResult,
  type Engine,
  type TwinAnomalyState,
} from '../core/anomaly/engine';
import { TwinFlowError } from '../core/errors';
import { parse, type TwinAnomalyConfig } from '../core/nodes/twin-anomaly';
import { clockFor } from './shared/clock';
import { contextGet, contextKey, contextSetNow } from './shared/context';
import { toNodeError } from './shared/i18n';
import { handleInput, type InputMessage, type Send } from './shared/input';
import { signalPayloadReader } from './anomaly/payload';
import { then, type MaybePromise } from './shared/maybe-promise';
import { statusFor, type StatusDescription } from './shared/status';
import { messageId } from './shared/message-id';

const STATE_PREFIX = 'anomaly_';
/** Longest time a learned state goes without being marked for the file store's flush (see persist). */
const REWRITE_MS = 1000;
const COMMANDS = ['rebaseline', 'train-end'] as const;

export = function register(RED: NodeAPI): void {
  function TwinAnomalyNode(this: Node, raw: object): void {
    RED.nodes.createNode(this, raw as never);
    const node = this;
    const clock = clockFor(RED);
    const status = statusFor(RED, node, 'twin-anomaly', clock);
    const parsed = parse(raw);
    let setup: { config: TwinAnomalyConfig; engine: Engine } | undefined;
    let configError: Error | undefined;
    if ('errors' in parsed) configError = toNodeError(RED, 'twin-anomaly', parsed.error);
    else setup = { config: parsed.config, engine: createEngine(parsed.config.engine) };
    if (configError) status.error(configError);
    const store = setup?.config.store || undefined;
    const context = node.context();
    // Learned state per key, cached here and mirrored to node context (plain JSON) after every message.
    const states = new Map<string, TwinAnomalyState>();
    const alarmed = new Set<string>();
    const payloadByValue = signalPayloadReader(
      setup?.engine.config.signals ?? [],
      setup?.config.runningProperty,
    );

    /**
     * When each key's state was last handed to a store that took it synchronously. Such a store (memory, or the file
     * store's cache) keeps a reference to this very object, which engineUpdate changes in place: writing it again
     * only marks it for the file store's next flush, so once a second is enough. Asynchronous stores get every write.
     */
    const lastWrite = new Map<string, number>();
    const persist = (
      key: string,
      state: TwinAnomalyState | undefined,
      force = false,
      now = clock.now(),
    ): Promise<void> | undefined => {
      const last = lastWrite.get(key);
      if (!force && last !== undefined && now - last < REWRITE_MS) return undefined;
      const written = contextSetNow(context, contextKey(STATE_PREFIX, key), state, store);
      if (written || state === undefined) lastWrite.delete(key);
      else lastWrite.set(key, now);
      return written;
    };

    const stateOf = (key: string, engine: Engine): MaybePromise<TwinAnomalyState> => {
      const cached = states.get(key);
      if (cached) return cached;
      return contextGet<unknown>(context, contextKey(STATE_PREFIX, key), store).then((saved) => {
        let state = saved === undefined ? undefined : engineRestore(saved, engine);
        if (saved !== undefined && !state) node.warn(RED._('twin-anomaly.warn.stateReset', { key }));
        state ??= engineInit(engine);
        states.set(key, state);
        return state;
      });
    };

    const all = (...writes: (Promise<void> | undefined)[]): MaybePromise<void> => {
      const pending = writes.filter((w): w is Promise<void> => w !== undefined);
      if (pending.length > 0) return Promise.all(pending).then(() => undefined);
    };

    /** Forgets what was learned for one key, or for every key this node has seen since it started. */
    const reset = (key: string | undefined): MaybePromise<void> => {
      const keys = key === undefined ? [...states.keys()] : [key];
      for (const k of keys) {
        states.delete(k);
        alarmed.delete(k);
      }
      status.show('yellow', 'ring', 'reset');
      return all(...keys.map((k) => persist(k, undefined, true)));
    };

    /** rebaseline (one key, one signal, or all) or train-end. */
    const command = (msg: InputMessage, key: string | undefined, engine: Engine): MaybePromise<void> => {
      const name = msg.command as (typeof COMMANDS)[number];
      const signal = typeof msg.signal === 'string' ? msg.signal : undefined;
      const apply = (k: string, state: TwinAnomalyState) => {
        engineCommand(state, name, engine, clock.now(), signal);
        return persist(k, state, true);
      };
      status.show('yellow', 'ring', name === 'rebaseline' ? 'rebaseline' : 'trainEnd');
      if (key === undefined) return all(...[...states].map(([k, s]) => apply(k, s)));
      return then(stateOf(key, engine), (state) => apply(key, state));
    };

    // The last message's result and state, described only for the status the throttle shows: one describe function
    // for every message, not a closure each. Progress is computed then too, not for every message.
    let lastResult = undefined as unknown as AnomalyResult;
    let lastState = undefined as unknown as TwinAnomalyState;
    const describe = (): StatusDescription => {
      const progress = engineProgress(lastState, (setup as { engine: Engine }).engine);
      if (progress.phase === 'training') {
        const done = String(progress.learned);
        if (progress.total > 0)
          return { fill: 'yellow', shape: 'ring', key: 'training', details: { done, total: progress.total } };
        return { fill: 'yellow', shape: 'ring', key: 'trainingOpen', details: { done } };
      }
      if (lastResult.warmingUp) return { fill: 'yellow', shape: 'ring', key: 'learning' };
      const key = progress.phase === 'monitoring' ? 'monitoring' : 'score';
      return { fill: 'green', shape: 'dot', key, details: { score: lastResult.score.toFixed(3) } };
    };
    const showStatus = (result: AnomalyResult, state: TwinAnomalyState): void => {
      if (alarmed.size > 0)
        return status.show('red', 'dot', 'alarm', { names: [...alarmed].slice(0, 2).join(', ') });
      lastResult = result;
      lastState = state;
      status.showLazily(describe);
    };

    const eventMessage = (key: string, result: AnomalyResult, now: number): NodeMessageInFlow | null => {
      if (!result.event && result.signalEvents.length === 0) return null;
      return {
        _msgid: messageId(),
        topic: key,
        payload: {
          event: result.event ?? 'signal',
          twin: key,
          score: result.score,
          contributors: result.contributors,
          signals: result.alarms,
          signalEvents: result.signalEvents,
          detector: result.detector,
          // Which watcher raised it, when several watch the same twin (an alarm list needs to tell them apart).
          source: node.name || node.id,
          timestamp: now,
        },
      } as unknown as NodeMessageInFlow;
    };

    const handle = (msg: InputMessage, send: Send): MaybePromise<void> => {
      if (configError || !setup) throw configError ?? new Error('not configured');
      const { config, engine } = setup;
      const hasKey = msg.topic !== undefined && msg.topic !== '';
      const key = hasKey ? String(msg.topic) : 'default';
      checkKey(key, engine);
      if (msg.reset === true) return reset(hasKey ? key : undefined);
      if ((COMMANDS as readonly unknown[]).includes(msg.command))
        return command(msg, hasKey ? key : undefined, engine);
      if (states.size >= config.maxKeys && !states.has(key)) {
        throw new TwinFlowError('tooManyKeys', `more than ${config.maxKeys} keys`, { limit: config.maxKeys });
      }
      const wall = clock.now();
      const now = typeof msg.timestamp === 'number' && Number.isFinite(msg.timestamp) ? msg.timestamp : wall;
      // Read and check everything first: a bad value must leave the learned state untouched.
      const payload = payloadByValue(msg.payload);
      const inputs = readSignals(payload, engine, config.signalName, now, true);
      const learn = learningWanted(msg.learn, payload, config.runningProperty);
      return then(stateOf(key, engine), (state) => {
        const { result } = engineUpdate(state, inputs, engine, now, learn);
        const written = persist(key, state, false, wall);
        if (result.alarm) alarmed.add(key);
        else alarmed.delete(key);
        const { score, warmingUp, alarm, detector, contributors, signals, alarms, phase } = result;
        msg.anomaly = { score, warmingUp, alarm, detector, contributors, signals, alarms, phase };
        send([msg as NodeMessageInFlow, eventMessage(key, result, now)]);
        showStatus(result, state);
        return written;
      });
    };

    node.on('input', handleInput(RED, node, 'twin-anomaly', handle, (error) => status.error(error)) as never);
    node.on('close', (_removed: boolean, done: () => void) => {
      status.close();
      done();
    });
  }
  RED.nodes.registerType('twin-anomaly', TwinAnomalyNode);
};
