import type { Node, NodeAPI, NodeMessageInFlow } from 'node-red';
import {
  detectorParams,
  engineInit,
  engineUpdate,
  readSignals,
  type EngineConfig,
  type TwinAnomalyState,
} from '../core/anomaly/engine';
import { alarmDefaultsFor, DETECTOR_NAMES } from '../core/anomaly/registry';
import { TwinFlowError } from '../core/errors';
import { TWIN_ANOMALY_MIGRATIONS, type TwinAnomalyConfig } from './anomaly/config';
import { clockFor } from './shared/clock';
import { contextGet, contextKey, contextSetNow } from './shared/context';
import { toNodeError } from './shared/i18n';
import { handleInput, type InputMessage, type Send } from './shared/input';
import { acceptPlain } from './shared/plain-data';
import { shortText } from './shared/status';
import { then, type MaybePromise } from './shared/maybe-promise';
import { migrateConfig } from '../core/nodes/migrate';

const STATE_PREFIX = 'anomaly_';
const STATUS_INTERVAL_MS = 1000;

function number(value: unknown, fallback: number): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : fallback;
}

/** The engine configuration from the node's saved configuration; throws a TwinFlowError naming what is wrong. */
function engineConfig(config: TwinAnomalyConfig): EngineConfig {
  const detector = config.detector;
  if (detector !== 'hotelling' && !(DETECTOR_NAMES as string[]).includes(detector)) {
    throw new TwinFlowError('unknownDetector', `unknown detector ${String(detector)}`, {
      detector: String(detector),
    });
  }
  let params: unknown;
  try {
    params = JSON.parse(config.params || '{}');
  } catch {
    throw new TwinFlowError('badParameter', 'the detector parameters are not valid JSON', {
      parameter: 'params',
    });
  }
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new TwinFlowError('badParameter', 'the detector parameters must be a JSON object', {
      parameter: 'params',
    });
  }
  const alarmDefaults = alarmDefaultsFor(detector);
  return {
    detector,
    params: params as Record<string, unknown>,
    signals: config.signals
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    alarm: {
      threshold: number(config.threshold, alarmDefaults.threshold),
      raiseK: number(config.raiseK, alarmDefaults.raiseK),
      raiseN: number(config.raiseN, alarmDefaults.raiseN),
      clearM: number(config.clearM, alarmDefaults.clearM),
    },
    learnInAlarm: config.learnInAlarm === true,
  };
}

/** Longest time a learned state goes without being marked for the file store's flush (see persist). */
const REWRITE_MS = 1000;

export = function register(RED: NodeAPI): void {
  function TwinAnomalyNode(this: Node, raw: TwinAnomalyConfig): void {
    RED.nodes.createNode(this, raw);
    const node = this;
    const config = migrateConfig<TwinAnomalyConfig>(raw, TWIN_ANOMALY_MIGRATIONS);
    const clock = clockFor(RED);
    const store = config.store || undefined;
    const context = node.context();
    // Learned state per twin, cached here and mirrored to node context (plain JSON) after every message.
    const states = new Map<string, TwinAnomalyState>();
    let engine: EngineConfig | undefined;
    let params: Record<string, unknown> = {};
    let configError: Error | undefined;
    try {
      engine = engineConfig(config);
      params = detectorParams(engine);
    } catch (err) {
      configError = toNodeError(RED, 'twin-anomaly', err);
      node.status({ fill: 'red', shape: 'ring', text: shortText(configError.message) });
    }
    let lastStatus = -Infinity;
    const alarms = new Set<string>();

    const showStatus = (score: number, warmingUp: boolean, force: boolean): void => {
      const now = clock.now();
      if (!force && now - lastStatus < STATUS_INTERVAL_MS) return;
      lastStatus = now;
      if (alarms.size > 0)
        node.status({ fill: 'red', shape: 'dot', text: `alarm: ${[...alarms].slice(0, 2).join(', ')}` });
      else if (warmingUp) node.status({ fill: 'yellow', shape: 'ring', text: 'learning' });
      else node.status({ fill: 'green', shape: 'dot', text: `score ${score.toFixed(3)}` });
    };

    /**
     * When each twin's state was last handed to a store that took it synchronously. Such a store (memory, or the file
     * store's cache) keeps a reference to this very object, which engineUpdate changes in place: writing it again only
     * marks it for the file store's next flush (which serialises the object as it is then), so once a second is
     * enough. Context writes were a fifth of the node's cost per message. Asynchronous stores get every write.
     */
    const lastWrite = new Map<string, number>();
    const persist = (twin: string, state: TwinAnomalyState): Promise<void> | undefined => {
      const now = Date.now();
      const last = lastWrite.get(twin);
      if (last !== undefined && now - last < REWRITE_MS) return undefined;
      const written = contextSetNow(context, contextKey(STATE_PREFIX, twin), state, store);
      if (written) lastWrite.delete(twin);
      else lastWrite.set(twin, now);
      return written;
    };

    const stateOf = (twin: string, current: EngineConfig): MaybePromise<TwinAnomalyState> => {
      const cached = states.get(twin);
      if (cached) return cached;
      return contextGet<TwinAnomalyState>(context, contextKey(STATE_PREFIX, twin), store).then((saved) => {
        const state = saved && saved.detector === current.detector ? saved : engineInit(current);
        states.set(twin, state);
        if (state.alarm.active) alarms.add(twin);
        return state;
      });
    };

    /** Forgets what was learned for one twin, or for every twin this node has seen since it started. */
    const reset = (twin: string | undefined): MaybePromise<void> => {
      const targets = twin === undefined ? [...states.keys()] : [twin];
      const writes: Promise<void>[] = [];
      for (const t of targets) {
        states.delete(t);
        alarms.delete(t);
        lastWrite.delete(t);
        const written = contextSetNow(context, contextKey(STATE_PREFIX, t), undefined, store);
        if (written) writes.push(written);
      }
      node.status({ fill: 'yellow', shape: 'ring', text: 'reset' });
      if (writes.length > 0) return Promise.all(writes).then(() => undefined);
    };

    /** Learning pauses while the machine is not running (a configured boolean property that is false) or on request. */
    const learning = (msg: InputMessage): boolean => {
      if (msg.learn === false) return false;
      if (!config.runningProperty || typeof msg.payload !== 'object' || msg.payload === null) return true;
      const running = (msg.payload as Record<string, unknown>)[config.runningProperty];
      const value =
        typeof running === 'object' && running !== null ? (running as { value?: unknown }).value : running;
      return value !== false;
    };

    const handle = (msg: InputMessage, send: Send): MaybePromise<void> => {
      if (configError || !engine) throw configError ?? new Error('not configured');
      const current = engine;
      const twin = msg.topic === undefined || msg.topic === '' ? 'default' : String(msg.topic);
      if (msg.reset === true) return reset(msg.topic === undefined || msg.topic === '' ? undefined : twin);
      const now =
        typeof msg.timestamp === 'number' && Number.isFinite(msg.timestamp) ? msg.timestamp : clock.now();
      // Read and check everything first: a bad value must leave the learned state untouched.
      // By value, whatever realm built it (a function node's objects included).
      msg.payload = acceptPlain(msg.payload);
      const inputs = readSignals(msg.payload, current, config.signalName || 'value', now);
      const learn = learning(msg);
      return then(stateOf(twin, current), (state) => {
        const { result } = engineUpdate(state, inputs, current, params, now, learn);
        const written = persist(twin, state);
        if (result.alarm) alarms.add(twin);
        else alarms.delete(twin);
        const anomalyMsg = Object.assign(msg, {
          anomaly: {
            score: result.score,
            warmingUp: result.warmingUp,
            alarm: result.alarm,
            detector: result.detector,
            contributors: result.contributors,
            signals: result.signals,
          },
        });
        const event = result.event
          ? ({
              _msgid: RED.util.generateId(),
              topic: twin,
              payload: {
                event: result.event,
                twin,
                score: result.score,
                contributors: result.contributors,
                detector: result.detector,
                // Which watcher raised it, when several watch the same twin (an alarm list needs to tell them apart).
                source: node.name || node.id,
                timestamp: now,
              },
            } as unknown as NodeMessageInFlow)
          : null;
        send([anomalyMsg as NodeMessageInFlow, event]);
        showStatus(result.score, result.warmingUp, result.event !== null);
        return written;
      });
    };

    node.on('input', handleInput(RED, node, 'twin-anomaly', handle) as (msg: NodeMessageInFlow) => void);
    node.on('close', (_removed: boolean, done: () => void) => done());
  }
  RED.nodes.registerType('twin-anomaly', TwinAnomalyNode);
};
