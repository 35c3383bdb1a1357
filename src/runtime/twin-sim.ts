import type { Node, NodeAPI, NodeDef } from 'node-red';
import { TwinFlowError } from '../core/errors';
import { parse, type TwinSimConfig, type TwinSimSettings } from '../core/nodes/twin-sim';
import { batchResult, planBatch } from '../core/sim/batch';
import { budget } from '../core/sim/budget';
import { cloneSimulation } from '../core/sim/kernel';
import { tickMs } from '../core/sim/pace';
import {
  afterRun,
  anchored,
  applyCommand,
  newSession,
  onMessage,
  onTick,
  resumed,
  toSaved,
  type SimSession,
} from '../core/sim/session';
import { outputMessage, type Message } from './sim/messages';
import { runInSlices, type SlicedRun } from './sim/slices';
import { clockFor } from './shared/clock';
import { contextGet, contextSetNow } from './shared/context';
import { toNodeError } from './shared/i18n';
import { handleInput, type Done, type InputMessage, type Send } from './shared/input';
import { acceptPlain } from './shared/plain-data';
import { statusFor } from './shared/status';

const STATE_KEY = 'simulation';
const RUNNING = { fill: 'green', shape: 'dot', key: 'running' } as const;
const PAUSED = { fill: 'grey', shape: 'ring', key: 'paused' } as const;

export = function register(RED: NodeAPI): void {
  function TwinSimNode(this: Node, raw: NodeDef): void {
    RED.nodes.createNode(this, raw);
    const node = this;
    const clock = clockFor(RED);
    const status = statusFor(RED, node, 'twin-sim', clock);
    const context = node.context();
    const parsed = parse(raw as unknown as Partial<TwinSimSettings> & Record<string, unknown>);
    let config: TwinSimConfig | undefined;
    let session: SimSession | undefined;
    let configError: Error | undefined;
    let timer: unknown;
    let batch: { run: SlicedRun; command: string } | undefined;
    try {
      if ('errors' in parsed) {
        const what = parsed.errors.join('; ');
        throw new TwinFlowError('badConfig', `the simulation is not configured correctly: ${what}`, { what });
      }
      session = newSession(parsed.config, clock.now());
      config = parsed.config;
    } catch (err) {
      configError = toNodeError(RED, 'twin-sim', err);
      status.error(configError);
    }
    const ready = (): { c: TwinSimConfig; s: SimSession } => {
      if (!config || !session) throw configError ?? new Error('not configured');
      return { c: config, s: session };
    };
    const within = (c: TwinSimConfig) => budget(() => clock.now(), c.budgetMs);
    const logError = (err: unknown): void => node.error(toNodeError(RED, 'twin-sim', err));
    /** Commits a session; a store that answers later returns a promise (a handler returns it: done(err)). */
    const commit = (next: SimSession): Promise<void> | undefined => {
      session = next;
      return contextSetNow(context, STATE_KEY, toSaved(next));
    };
    const showTime = (): void => {
      const seconds = session?.sim.time;
      const running = timer !== undefined;
      // Formatted only if the throttle shows it; what it shows is the state of this moment.
      status.showLazily(() => ({
        ...(running ? RUNNING : PAUSED),
        details: { time: seconds?.toFixed(1) ?? '0' },
      }));
    };
    const tick = (): void => {
      if (batch?.command === 'run') return; // a batch run owns the simulation until it ends
      try {
        const { c, s } = ready();
        const { session: next, outputs } = onTick(c, s, clock.now(), within(c));
        if (outputs.length === 0) return;
        commit(next)?.catch(logError);
        node.send([outputs.map((o) => outputMessage(RED, o)), null, null]);
        showTime();
      } catch (err) {
        stop();
        logError(err);
        status.error(toNodeError(RED, 'twin-sim', err));
      }
    };
    const start = (c: TwinSimConfig, s: SimSession): void => {
      if (timer !== undefined) return;
      session = anchored(s, clock.now(), c.speed);
      timer = clock.setInterval(tick, tickMs(s.sim.h, c.speed));
      showTime();
    };
    const stop = (): void => {
      if (timer !== undefined) clock.clearInterval(timer);
      timer = undefined;
      showTime();
    };
    /** run and fork, in slices with progress; a run commits its end state, a fork only reports. */
    const runBatch = async (c: TwinSimConfig, s: SimSession, msg: InputMessage, send: Send) => {
      const command = String(msg.command);
      const plan = planBatch(c.model, s.sim, msg.payload, c.maxSteps, command);
      let started = false; // the first progress shows at once: a run that starts is worth seeing
      const run = runInSlices(clock, c.model, plan, c.budgetMs, command, (percent) => {
        status.show('blue', 'dot', 'progress', { command, percent }, !started);
        started = true;
      });
      batch = { run, command };
      try {
        const finished = await run.finished;
        if (command === 'run')
          await commit(afterRun(c, session ?? s, finished.current, clock.now(), timer !== undefined));
        send([null, null, Object.assign(msg, { topic: c.twin, payload: batchResult(c.model, finished) })]);
        showTime();
      } finally {
        batch = undefined;
      }
    };

    const command = (c: TwinSimConfig, s: SimSession, msg: InputMessage, send: Send) => {
      switch (msg.command) {
        case 'start':
          return start(c, s);
        case 'pause':
          return stop();
        case 'snapshot':
          return send([null, null, Object.assign(msg, { topic: c.twin, payload: cloneSimulation(s.sim) })]);
        case 'fork':
        case 'run':
          return runBatch(c, s, msg, send);
        default: {
          const running = timer !== undefined;
          return commit(
            applyCommand(c, s, String(msg.command), msg.payload, clock.now(), within(c), running),
          );
        }
      }
    };

    const handle = (msg: InputMessage, send: Send): Promise<void> | undefined => {
      // By value, whatever realm built it; what a store or a snapshot cannot carry is refused here.
      msg.payload = acceptPlain(msg.payload);
      const { c, s } = ready();
      if (msg.command !== undefined) return command(c, s, msg, send) ?? undefined;
      const r = onMessage(c, s, msg, clock.now(), within(c), timer !== undefined);
      const saved = commit(r.session);
      const last = r.outputs.length - 1;
      const outputs = r.outputs.map((o, i) =>
        i === last && c.mode !== 'shadow' ? outputMessage(RED, o, msg) : outputMessage(RED, o),
      );
      send([outputs, r.residuals && outputMessage(RED, r.residuals), null]);
      showTime();
      return saved;
    };

    /** cancel bypasses the message queue (the batch it stops is ahead of it) and answers on the third output. */
    const cancel = (msg: Message, send: Send, done: Done): void => {
      const stopped = batch;
      const progress = stopped?.run.cancel();
      if (stopped)
        status.show('yellow', 'ring', 'cancelled', { command: stopped.command, percent: progress ?? 0 });
      const payload = stopped
        ? { cancelled: true, command: stopped.command, progress }
        : { cancelled: false };
      send([null, null, Object.assign(msg, { topic: config?.twin, payload })]);
      done();
    };

    // Continue where the last run stopped (restart, redeploy with a persistent store), then start the clock.
    const begin = (saved: unknown): void => {
      try {
        if (config && session) session = resumed(config, session, saved, within(config));
      } catch (err) {
        logError(err);
      }
      if (config && session && config.mode === 'realtime' && config.autostart) start(config, session);
      else showTime();
    };
    contextGet(context, STATE_KEY)
      .then(begin, (err: unknown) => (logError(err), begin(undefined)))
      .catch(logError);

    const input = handleInput(RED, node, 'twin-sim', handle, (error) => status.error(error));
    node.on('input', ((msg: Message, send: Send, done: Done) =>
      msg.command === 'cancel' ? cancel(msg, send, done) : input(msg, send, done)) as () => void);
    node.on('close', (_removed: boolean, done: () => void) => {
      batch?.run.cancel();
      if (timer !== undefined) clock.clearInterval(timer);
      timer = undefined;
      status.close();
      done();
    });
  }
  RED.nodes.registerType('twin-sim', TwinSimNode);
};
