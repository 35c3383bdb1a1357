import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { TwinFlowError } from '../core/errors';
import {
  forecastTwinInit,
  forecastTwinRul,
  forecastTwinUpdate,
  readRulCycle,
  readTrendSamples,
  type ForecastTwinState,
} from '../core/forecast/twin';
import { migrateConfig } from '../core/nodes/migrate';
import {
  parseTwinForecast,
  TWIN_FORECAST_MIGRATIONS,
  type TwinForecastConfig,
  type TwinForecastSettings,
} from '../core/nodes/twin-forecast';
import type { RulModel } from '../core/rul/model';
import { loadRulModel } from './forecast/rul-model';
import { modelLimits } from './forecast/limits';
import { clockFor } from './shared/clock';
import { contextGet, contextKey, contextSetNow } from './shared/context';
import { toNodeError } from './shared/i18n';
import { handleInput, type InputMessage, type Send } from './shared/input';
import { then, type MaybePromise } from './shared/maybe-promise';
import { statusFor } from './shared/status';
import { messageId } from './shared/message-id';

const NS = 'twin-forecast';
const STATE_PREFIX = 'forecast_';
/** Per-sample statuses are offered at most this often: translating one costs more than a forecast step. */
const STATUS_GATE_MS = 250;

export = function register(RED: NodeAPI): void {
  function TwinForecastNode(this: Node, raw: NodeDef & Partial<TwinForecastSettings>): void {
    RED.nodes.createNode(this, raw);
    const node = this;
    const settings = migrateConfig<TwinForecastSettings>(raw, TWIN_FORECAST_MIGRATIONS);
    const clock = clockFor(RED);
    const status = statusFor(RED, node, NS, clock);
    const context = node.context();
    const store = settings.store || undefined;
    const states = new Map<string, ForecastTwinState>();
    const limitOf = modelLimits(RED, settings.model);
    let statusAt = -Infinity;
    const due = (): boolean => {
      const now = clock.now();
      if (now - statusAt < STATUS_GATE_MS) return false;
      statusAt = now;
      return true;
    };
    let keys = 0;
    let config: TwinForecastConfig | undefined;
    let rulModel: RulModel | undefined;
    let configError: Error | undefined;
    try {
      const parsed = parseTwinForecast(settings);
      if ('errors' in parsed) {
        throw new TwinFlowError('badConfig', parsed.errors.join('; '), { errors: parsed.errors.join('; ') });
      }
      config = parsed.config;
      if (config.mode === 'rul') rulModel = loadRulModel(RED, config.rulModel);
      status.show('grey', 'ring', 'ready');
    } catch (err) {
      configError = toNodeError(RED, NS, err);
      node.error(configError);
      status.error(configError);
    }

    const stateOf = (twin: string): MaybePromise<ForecastTwinState> => {
      const cached = states.get(twin);
      if (cached) return cached;
      return contextGet<ForecastTwinState>(context, contextKey(STATE_PREFIX, twin), store).then((saved) => {
        const state = states.get(twin) ?? saved ?? forecastTwinInit();
        if (!states.has(twin)) keys += Object.keys(state.signals).length + (state.rul ? 1 : 0);
        states.set(twin, state);
        return state;
      });
    };

    const reset = (twin: string | undefined): MaybePromise<void> => {
      const writes: Promise<void>[] = [];
      for (const t of twin === undefined ? [...states.keys()] : [twin]) {
        const state = states.get(t);
        if (state) keys -= Object.keys(state.signals).length + (state.rul ? 1 : 0);
        states.delete(t);
        const written = contextSetNow(context, contextKey(STATE_PREFIX, t), undefined, store);
        if (written) writes.push(written);
      }
      status.show('yellow', 'ring', 'reset');
      if (writes.length > 0) return Promise.all(writes).then(() => undefined);
    };

    /** msg.forecast on output 1, and the twin-state envelope with rul / tttLimit on output 2 when asked. */
    const emit = (
      msg: InputMessage,
      send: Send,
      twin: string,
      forecast: object,
      properties: Record<string, unknown>,
    ) => {
      Object.assign(msg, { forecast: { twin, ...forecast } });
      const toTwin =
        config?.writeTwin && Object.keys(properties).length > 0
          ? ({
              _msgid: messageId(),
              topic: twin,
              payload: properties,
            } as unknown as NodeMessageInFlow)
          : null;
      send([msg as NodeMessageInFlow, toTwin]);
    };

    const handle = (msg: InputMessage, send: Send): MaybePromise<void> => {
      if (configError || !config) throw configError ?? new Error('not configured');
      const current = config;
      const twin = msg.topic === undefined || msg.topic === '' ? 'default' : String(msg.topic);
      if (msg.reset === true) return reset(msg.topic === undefined || msg.topic === '' ? undefined : twin);
      const nowMs =
        typeof msg.timestamp === 'number' && Number.isFinite(msg.timestamp) ? msg.timestamp : clock.now();
      if (current.mode === 'rul' && rulModel) {
        const model = rulModel;
        const values = readRulCycle(msg.payload, model, current.rulSignals);
        if (values === 'ignored') return status.show('yellow', 'ring', 'ignored', { twin });
        return then(stateOf(twin), (state) => {
          if (!state.rul && keys >= current.maxKeys) {
            throw new TwinFlowError(
              'tooManyKeys',
              'the node forecasts as many twins as its key limit allows',
              {},
            );
          }
          if (!state.rul) keys += 1;
          const { estimate, moved } = forecastTwinRul(state, values, model, current);
          const written = contextSetNow(context, contextKey(STATE_PREFIX, twin), state, store);
          if (due()) status.show('green', 'dot', 'rul', { twin, rul: Math.round(estimate.rul) });
          if (moved) emit(msg, send, twin, { rul: estimate }, { rul: Math.round(estimate.rul * 10) / 10 });
          return written;
        });
      }
      const { samples, ignored } = readTrendSamples(msg.payload, current, nowMs);
      const override = typeof msg.limit === 'number' && Number.isFinite(msg.limit) ? msg.limit : undefined;
      const limitFor = (signal: string): number | undefined =>
        override ?? current.limit ?? limitOf(signal, current.direction);
      return then(stateOf(twin), (state) => {
        const { results, moved, added } = forecastTwinUpdate(
          state,
          samples,
          current,
          current.maxKeys - keys,
          limitFor,
        );
        keys += added;
        const written = contextSetNow(context, contextKey(STATE_PREFIX, twin), state, store);
        const names = Object.keys(results);
        const first = names.length > 0 ? results[names[0]] : undefined;
        if (due()) {
          if (!first) status.show('yellow', 'ring', ignored.length > 0 ? 'ignored' : 'learning', { twin });
          else if (first.limit?.crossed) status.show('red', 'dot', 'crossed', { twin, signal: names[0] });
          else if (first.limit) {
            const eta = first.limit.expected;
            if (eta === null) status.show('green', 'dot', 'noCrossing', { twin, signal: names[0] });
            else
              status.show('yellow', 'dot', 'eta', {
                twin,
                signal: names[0],
                eta: Number(eta.toPrecision(3)),
                unit: settings.timeUnit,
              });
          } else
            status.show('green', 'dot', 'forecast', {
              twin,
              signal: names[0],
              value: Number(first.horizon.value.toPrecision(4)),
            });
        }
        if (moved) {
          const ttt = names.map((n) => results[n].limit?.expected).find((e) => e !== undefined);
          emit(msg, send, twin, { signals: results, ignored }, ttt === undefined ? {} : { tttLimit: ttt });
        }
        return written;
      });
    };

    node.on(
      'input',
      handleInput(RED, node, NS, handle, (error) => status.error(error)) as (msg: NodeMessageInFlow) => void,
    );
    node.on('close', (_removed: boolean, done: () => void) => {
      status.close();
      done();
    });
  }
  RED.nodes.registerType('twin-forecast', TwinForecastNode);
};
