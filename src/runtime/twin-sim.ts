import type { Node, NodeAPI, NodeMessageInFlow } from 'node-red';
import { isPlainObject, isSample } from '../core/envelope';
import { TwinFlowError } from '../core/errors';
import {
  cloneSimulation,
  createSimulation,
  currentOutputs,
  doStep,
  doStepThroughEvents,
  withFault,
  withInputs,
  withParameters,
  type Simulation,
  type StepResult,
} from '../core/sim/kernel';
import { variableMap, variablesOf, type SimModel } from '../core/sim/model';
import { MODELS, odeModel, type OdeDefinition } from '../core/sim/models';
import { CLOCK_MODES, TWIN_SIM_MIGRATIONS, type TwinSimConfig } from './sim/config';
import { clockFor } from './shared/clock';
import { contextGet, contextSetNow } from './shared/context';
import { toNodeError } from './shared/i18n';
import { handleInput, type InputMessage, type Send } from './shared/input';
import { acceptPlain } from './shared/plain-data';
import { shortText } from './shared/status';
import { migrateConfig } from '../core/nodes/migrate';

const STATE_KEY = 'simulation';
/** Longest what-if or batch run per command, in communication steps (keeps one message bounded). */
const MAX_BATCH_STEPS = 1_000_000;

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text || '{}') as unknown;
  } catch {
    throw new TwinFlowError('badConfig', `${what} is not valid JSON`, { what });
  }
}

function modelFor(config: TwinSimConfig): SimModel {
  if (config.model === 'ode')
    return odeModel(parseJson(config.ode, 'the user model') as OdeDefinition) as SimModel;
  const model = MODELS[config.model];
  if (!model) throw new TwinFlowError('badConfig', `unknown model ${config.model}`, { what: 'model' });
  return model;
}

/** The envelope twin-state accepts: each output as {value, unit, sourceTimestamp}. */
function envelope(
  model: SimModel,
  outputs: Record<string, number>,
  timestamp: number,
): Record<string, unknown> {
  const variables = variableMap(model, 'output');
  const payload: Record<string, unknown> = {};
  for (const name in outputs) {
    const value = outputs[name];
    const unit = variables.get(name)?.unit;
    payload[name] = unit
      ? { value, unit, sourceTimestamp: timestamp }
      : { value, sourceTimestamp: timestamp };
  }
  return payload;
}

/** Measured values from a plain object or a twin-state payload of samples, with the latest source timestamp. */
function measurements(payload: unknown): { values: Record<string, number>; timestamp?: number } {
  if (!isPlainObject(payload))
    throw new TwinFlowError('badMeasurement', 'msg.payload must be an object of measured values', {});
  const values: Record<string, number> = {};
  let timestamp: number | undefined;
  for (const [name, entry] of Object.entries(payload)) {
    const sample = isSample(entry) ? entry : undefined;
    const value = sample ? sample.value : entry;
    if (sample && (sample.quality === 'bad' || (sample as { stale?: unknown }).stale === true)) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    values[name] = value;
    if (typeof sample?.sourceTimestamp === 'number')
      timestamp = Math.max(timestamp ?? -Infinity, sample.sourceTimestamp);
  }
  return { values, timestamp };
}

const STATUS_MS = 500;

export = function register(RED: NodeAPI): void {
  function TwinSimNode(this: Node, raw: TwinSimConfig): void {
    RED.nodes.createNode(this, raw);
    const node = this;
    const config = migrateConfig<TwinSimConfig>(raw, TWIN_SIM_MIGRATIONS);
    const clock = clockFor(RED);
    const context = node.context();
    const twin = config.twin || config.name || config.model;
    let model: SimModel | undefined;
    let sim: Simulation | undefined;
    let configError: Error | undefined;
    /** Wall-clock epoch (ms) of simulation time 0, so outputs carry real timestamps. */
    let epoch = clock.now();
    let timer: unknown;
    let lastShadowTime: number | undefined;

    const fresh = (): Simulation => {
      if (!model) throw configError ?? new Error('not configured');
      if (!(CLOCK_MODES as readonly string[]).includes(config.mode))
        throw new TwinFlowError('badConfig', `unknown clock mode ${config.mode}`, { what: 'mode' });
      return createSimulation(model, {
        step: Number(config.step),
        seed: Number(config.seed),
        params: parseJson(config.params, 'the parameters') as Record<string, unknown>,
        inputs: parseJson(config.initialInputs, 'the initial inputs') as Record<string, unknown>,
      });
    };

    try {
      model = modelFor(config);
      sim = fresh();
    } catch (err) {
      configError = toNodeError(RED, 'twin-sim', err);
      node.status({ fill: 'red', shape: 'ring', text: shortText(configError.message) });
    }

    const save = (): void => {
      void contextSetNow(context, STATE_KEY, { simulation: sim, epoch });
    };

    // The status shows the simulation time; refreshed at most every STATUS_MS while stepping (a status update per
    // message cost more than a step), at once when running starts or stops.
    let lastStatus = { at: -Infinity, running: false };
    const status = (running: boolean, force = false): void => {
      if (!sim) return;
      const at = Date.now();
      if (!force && running === lastStatus.running && at - lastStatus.at < STATUS_MS) return;
      lastStatus = { at, running };
      node.status({
        fill: running ? 'green' : 'grey',
        shape: running ? 'dot' : 'ring',
        text: `t = ${sim.time.toFixed(1)} s${running ? '' : ' (paused)'}`,
      });
    };

    const outputMessage = (result: StepResult, base: Partial<InputMessage> = {}): NodeMessageInFlow => {
      const timestamp = epoch + result.simulation.time * 1000;
      return {
        ...base,
        _msgid: (base._msgid as string | undefined) ?? RED.util.generateId(),
        topic: twin,
        payload: envelope(model as SimModel, result.outputs, timestamp),
        sim: {
          time: result.simulation.time,
          step: result.simulation.n,
          model: result.simulation.model,
          events: result.events,
          timestamp,
        },
      } as unknown as NodeMessageInFlow;
    };

    /**
     * Steps from `base` (the current simulation with this message's inputs) and commits only if the step succeeded.
     * With "stop at events" the step comes back as one result per event inside it, then one at its end.
     */
    const step = (dt?: number, base?: Simulation): StepResult[] => {
      if (!sim || !model) throw configError ?? new Error('not configured');
      const results = config.events
        ? doStepThroughEvents(model, base ?? sim, dt)
        : [doStep(model, base ?? sim, dt)];
      sim = results[results.length - 1].simulation;
      save();
      return results;
    };

    const startTimer = (): void => {
      if (timer !== undefined || !sim) return;
      const speed = Math.max(Number(config.speed) || 1, 1e-6);
      const intervalMs = Math.max(1, (sim.h * 1000) / speed);
      // Faster than one timer tick per millisecond: several steps per tick, so the simulation keeps pace.
      const stepsPerTick = Math.max(1, Math.round(1 / ((sim.h * 1000) / speed)));
      timer = clock.setInterval(() => {
        try {
          // Event outputs of every step in the tick are sent; otherwise only the tick's last state.
          const messages: NodeMessageInFlow[] = [];
          for (let i = 0; i < stepsPerTick; i++) {
            const results = step();
            for (let k = 0; k < results.length - 1; k++) messages.push(outputMessage(results[k]));
            if (i === stepsPerTick - 1) messages.push(outputMessage(results[results.length - 1]));
          }
          node.send([messages, null, null]);
          status(true);
        } catch (err) {
          stopTimer();
          node.error(toNodeError(RED, 'twin-sim', err));
          node.status({ fill: 'red', shape: 'ring', text: shortText(String((err as Error).message)) });
        }
      }, intervalMs);
      status(true);
    };

    const stopTimer = (): void => {
      if (timer !== undefined) clock.clearInterval(timer);
      timer = undefined;
      status(false);
    };

    /** Runs a copy as fast as possible for `seconds` and returns its trajectory (what-if). */
    const runCopy = (copy: Simulation, seconds: unknown, every: unknown) => {
      if (!model) throw configError ?? new Error('not configured');
      const duration = Number(seconds);
      const steps = Math.ceil(duration / copy.h - 1e-9);
      if (!Number.isFinite(duration) || duration <= 0 || steps > MAX_BATCH_STEPS) {
        throw new TwinFlowError(
          'badCommand',
          `seconds must be positive and at most ${MAX_BATCH_STEPS} steps`,
          { command: 'fork' },
        );
      }
      const sampleEvery = Math.max(1, Math.round(Number(every) || steps / 100));
      const trajectory: { time: number; outputs: Record<string, number> }[] = [];
      let current = copy;
      for (let i = 1; i <= steps; i++) {
        const r = doStep(model, current);
        current = r.simulation;
        if (i % sampleEvery === 0 || i === steps) trajectory.push({ time: current.time, outputs: r.outputs });
      }
      return { final: current, trajectory };
    };

    const command = (msg: InputMessage, send: Send): void => {
      if (!sim || !model) throw configError ?? new Error('not configured');
      const m = model;
      const payload = msg.payload as Record<string, unknown> | undefined;
      switch (msg.command) {
        case 'start':
          startTimer();
          return;
        case 'pause':
          stopTimer();
          return;
        case 'reset':
          sim = fresh();
          epoch = clock.now();
          lastShadowTime = undefined;
          save();
          status(timer !== undefined, true);
          return;
        case 'snapshot':
          send([null, null, Object.assign(msg, { topic: twin, payload: cloneSimulation(sim) })]);
          return;
        case 'restore': {
          if (!isPlainObject(payload) || payload.model !== sim.model || typeof payload.time !== 'number') {
            throw new TwinFlowError(
              'badCommand',
              `restore needs a snapshot of a ${sim.model} simulation in msg.payload`,
              { command: 'restore' },
            );
          }
          sim = structuredClone(payload) as unknown as Simulation;
          save();
          status(timer !== undefined, true);
          return;
        }
        case 'set': {
          const next = withParameters(m, sim, isPlainObject(payload?.params) ? payload.params : {});
          sim = withInputs(m, next, isPlainObject(payload?.inputs) ? payload.inputs : {});
          save();
          return;
        }
        case 'fault': {
          let next = sim;
          for (const f of Array.isArray(payload) ? payload : [payload])
            next = withFault(m, next, { start: next.time, ...(f as object) });
          sim = next;
          save();
          return;
        }
        case 'fork':
        case 'run': {
          const spec = isPlainObject(payload) ? payload : { seconds: payload };
          let copy = cloneSimulation(sim);
          if (isPlainObject(spec.params)) copy = withParameters(m, copy, spec.params);
          if (isPlainObject(spec.inputs)) copy = withInputs(m, copy, spec.inputs);
          const { final, trajectory } = runCopy(copy, spec.seconds, spec.every);
          if (msg.command === 'run') {
            // A batch run of the simulation itself, as fast as possible.
            sim = final;
            save();
          }
          send([
            null,
            null,
            Object.assign(msg, {
              topic: twin,
              payload: { time: final.time, trajectory, outputs: currentOutputs(m, final) },
            }),
          ]);
          return;
        }
        default:
          throw new TwinFlowError(
            'badCommand',
            'msg.command must be start, pause, reset, snapshot, restore, set, fault, fork or run',
            {
              command: String(msg.command),
            },
          );
      }
    };

    const handle = (msg: InputMessage, send: Send): void => {
      // By value, whatever realm built it; what a store or a snapshot cannot carry is refused here.
      msg.payload = acceptPlain(msg.payload);
      if (configError || !sim || !model) throw configError ?? new Error('not configured');
      if (msg.command !== undefined) return command(msg, send);
      if (config.mode === 'shadow') {
        // Follow the measurements: advance to their time, with measured inputs, and compare the outputs.
        const { values, timestamp } = measurements(msg.payload);
        const t = typeof msg.timestamp === 'number' ? msg.timestamp : (timestamp ?? clock.now());
        if (lastShadowTime === undefined) {
          epoch = t - sim.time * 1000;
          lastShadowTime = t;
        }
        const inputs = Object.fromEntries(
          variablesOf(model, 'input')
            .filter((v) => v.name in values)
            .map((v) => [v.name, values[v.name]]),
        );
        sim = withInputs(model, sim, inputs);
        const dt = (t - lastShadowTime) / 1000;
        const stepped = dt > 0 ? step(dt) : [];
        const result: StepResult =
          stepped.length > 0
            ? { ...stepped[stepped.length - 1], events: stepped.flatMap((r) => r.events) }
            : { simulation: sim, outputs: currentOutputs(model, sim), events: [] };
        lastShadowTime = Math.max(lastShadowTime, t);
        const residuals: Record<string, unknown> = {};
        for (const [name, predicted] of Object.entries(result.outputs)) {
          if (name in values && !(name in inputs))
            residuals[name] = { value: values[name] - predicted, sourceTimestamp: t };
        }
        // Residuals only when something measured is also predicted: an empty message would mean nothing downstream.
        const residualMessage =
          Object.keys(residuals).length > 0
            ? ({ ...outputMessage(result), payload: residuals } as NodeMessageInFlow)
            : null;
        send([outputMessage(result), residualMessage, null]);
        status(false);
        return;
      }
      // Step per message: inputs in msg.payload, optional msg.dt (seconds).
      if (msg.payload !== undefined && msg.payload !== null && !isPlainObject(msg.payload)) {
        throw new TwinFlowError('badMeasurement', 'msg.payload must be an object of input values', {});
      }
      const base = isPlainObject(msg.payload) ? withInputs(model, sim, msg.payload) : sim;
      const dt = msg.dt === undefined ? undefined : Number(msg.dt);
      const results = step(dt, base);
      const last = results.length - 1;
      send([results.map((r, i) => (i === last ? outputMessage(r, msg) : outputMessage(r))), null, null]);
      status(timer !== undefined);
    };

    // Continue where the last run stopped (restart, redeploy with a persistent store).
    void contextGet<{ simulation: Simulation; epoch: number }>(context, STATE_KEY).then((saved) => {
      if (saved && sim && saved.simulation?.model === sim.model && saved.simulation.h === sim.h) {
        sim = saved.simulation;
        epoch = saved.epoch;
      }
      if (config.mode === 'realtime' && config.autostart && !configError) startTimer();
      else status(false);
    });

    node.on('input', handleInput(RED, node, 'twin-sim', handle) as (msg: NodeMessageInFlow) => void);
    node.on('close', (_removed: boolean, done: () => void) => {
      stopTimer();
      done();
    });
  }
  RED.nodes.registerType('twin-sim', TwinSimNode);
};
