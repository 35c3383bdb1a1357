import assert from 'node:assert/strict';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Node } from 'node-red';
import { ManualClock } from '../helpers/clock';
import {
  type AnyMessage,
  collect,
  finishNodes,
  helper,
  loadNode,
  nextMessage,
  sendAndWait,
  settle,
  type TestFlow,
  useSettings,
  waitFor,
} from '../helpers/node-red';
import { PUMP_SIM_SETTINGS } from '../helpers/node-settings';

const twinSim = loadNode('twin-sim');

function flow(extra: Record<string, unknown> = {}): TestFlow {
  return [
    { id: 'f1', type: 'tab' },
    {
      ...PUMP_SIM_SETTINGS,
      id: 's1',
      z: 'f1',
      wires: [['out'], ['residuals'], ['results']],
      ...extra,
    },
    { id: 'out', type: 'helper', z: 'f1' },
    { id: 'residuals', type: 'helper', z: 'f1' },
    { id: 'results', type: 'helper', z: 'f1' },
    ...finishNodes('s1'),
  ] as TestFlow;
}

const node = (id: string): Node => helper.getNode(id) as Node;

const send = (msg: AnyMessage): Promise<void> => sendAndWait('s1', msg);

async function snapshot(): Promise<Record<string, unknown>> {
  const reply = nextMessage(node('results'));
  node('s1').receive({ command: 'snapshot' } as never);
  return (await reply).payload as Record<string, unknown>;
}

type Envelope = Record<string, { value: number; unit?: string; sourceTimestamp: number }>;

describe('twin-sim node (built bundle, real runtime)', function () {
  let clock: ManualClock;
  beforeEach(() => {
    clock = new ManualClock();
    useSettings({ twinflowClock: clock });
  });
  afterEach(async () => {
    await helper.unload();
    useSettings({});
  });

  it('stops at events: an output at the exact time of each discrete event inside a step', async () => {
    await helper.load(
      twinSim,
      flow({
        model: 'machine',
        params: '{"mtbf": 500, "mttr": 50}',
        initialInputs: '{}',
        step: '2000',
        events: true,
        version: 2,
      }),
    );
    const out = collect(node('out'));
    await send({ payload: {} });
    assert.ok(out.length >= 3, `events inside the 2000 s step each give an output (${out.length})`);
    const sims = out.map((m) => m.sim as { time: number; events: { time: number; name: string }[] });
    for (let i = 0; i < sims.length - 1; i++) {
      assert.equal(sims[i].events.length > 0, true, 'an early output carries its event');
      assert.equal(sims[i].time, sims[i].events[sims[i].events.length - 1].time, 'at the event time itself');
      assert.ok(sims[i].time < sims[i + 1].time, 'in time order');
    }
    assert.equal(sims[sims.length - 1].time, 2000, 'the last output lands on the end of the step');
    const states = out.map((m) => (m.payload as Envelope).state.value);
    assert.ok(states.includes(2), 'a fault is seen at its own time');
    // Without the option the same step gives one output, at its end.
    await helper.unload();
    await helper.load(
      twinSim,
      flow({
        model: 'machine',
        params: '{"mtbf": 500, "mttr": 50}',
        initialInputs: '{}',
        step: '2000',
        version: 1,
      }),
    );
    const plain = collect(node('out'));
    await send({ payload: {} });
    assert.equal(plain.length, 1);
  });

  it('steps once per message with the inputs it carries and sends the twin envelope', async () => {
    await helper.load(twinSim, flow());
    const out = collect(node('out'));
    await send({ payload: {} });
    await send({ payload: { speed: 80 }, dt: 0.5 });
    assert.equal(out.length, 2);
    const first = out[0].payload as Envelope;
    assert.equal(out[0].topic, 'Pump01');
    assert.ok(Math.abs(first.flow.value - 70.71) < 0.01, `${first.flow.value}`);
    assert.equal(first.flow.unit, 'm3/h');
    assert.equal((out[1].sim as { time: number }).time, 1.5);
    assert.ok(Math.abs((out[1].payload as Envelope).flow.value - 50.99) < 0.01, 'affinity: 80 % speed');
    assert.equal((out[1].payload as Envelope).flow.sourceTimestamp, clock.now() + 1500);
  });

  it('runs on its own clock at real time times the speed, and pauses', async () => {
    await helper.load(twinSim, flow({ mode: 'realtime', speed: '10', autostart: true }));
    await settle(20);
    const out = collect(node('out'));
    clock.advance(1000); // 10 steps of 1 s at 10x
    await settle();
    assert.equal(out.length, 10);
    assert.equal((out.at(-1)!.sim as { time: number }).time, 10);
    await send({ command: 'pause' });
    clock.advance(1000);
    await settle();
    assert.equal(out.length, 10, 'paused');
    await send({ command: 'start' });
    clock.advance(500);
    await settle();
    assert.equal(out.length, 15);
  });

  it('follows measurement timestamps in shadow mode and sends residuals', async () => {
    await helper.load(
      twinSim,
      flow({
        model: 'motor-thermal',
        mode: 'shadow',
        params: '{"tau": 1800, "ratedCurrent": 100, "ratedRise": 80, "initialTemperature": 40}',
        initialInputs: '{}',
      }),
    );
    const residuals = collect(node('residuals'));
    const t0 = Date.UTC(2026, 0, 1);
    await send({ timestamp: t0, payload: { current: 120, ambient: 40, temperature: 40 } });
    await send({
      timestamp: t0 + 3600_000,
      payload: { current: { value: 120, quality: 'good' }, ambient: 40, temperature: 145 },
    });
    const last = residuals.at(-1)!.payload as Record<string, { value: number }>;
    // predicted 139.609375 after one hour at 120 % load
    assert.ok(Math.abs(last.temperature.value - (145 - 139.609375)) < 1e-6, `${last.temperature.value}`);
    assert.equal(last.current, undefined, 'inputs are not residuals');
  });

  it('snapshots, restores, forks without touching itself, runs batches and injects faults', async () => {
    await helper.load(twinSim, flow());
    for (let i = 0; i < 5; i++) await send({ payload: {} });
    const snap = await snapshot();
    const forkReply = nextMessage(node('results'));
    node('s1').receive({
      command: 'fork',
      payload: { seconds: 600, inputs: { speed: 80 }, every: 60 },
    } as never);
    const fork = (await forkReply).payload as {
      time: number;
      trajectory: unknown[];
      outputs: Record<string, number>;
    };
    assert.equal(fork.time, 605);
    assert.equal(fork.trajectory.length, 10);
    assert.ok(Math.abs(fork.outputs.flow - 50.99) < 0.01);
    assert.deepEqual(await snapshot(), snap, 'the fork left the simulation as it was');
    await send({ command: 'run', payload: 100 });
    assert.equal(((await snapshot()) as { time: number }).time, 105);
    await send({ command: 'restore', payload: snap });
    assert.equal(((await snapshot()) as { time: number }).time, 5);
    await send({
      command: 'fault',
      payload: { kind: 'bias', target: 'pressure', magnitude: 1, duration: 10 },
    });
    const out = collect(node('out'));
    await send({ payload: {} });
    assert.ok(Math.abs((out[0].payload as Envelope).pressure.value - (20 * 9810) / 1e5 - 1) < 1e-6);
    await send({ command: 'reset' });
    assert.equal(((await snapshot()) as { time: number }).time, 0);
  });

  it('rejects bad input through Catch and keeps the simulation unchanged', async () => {
    await helper.load(twinSim, flow());
    await send({ payload: {} });
    const before = JSON.stringify(await snapshot());
    const caught = collect(node('caught'));
    const cases: [AnyMessage, string][] = [
      [{ payload: { speed: NaN } }, 'TWINFLOW_NOT_FINITE'],
      [{ payload: { speed: 500 } }, 'TWINFLOW_OUT_OF_RANGE'],
      [{ payload: { torque: 3 } }, 'TWINFLOW_UNKNOWN_INPUT'],
      [{ payload: 'fast' }, 'TWINFLOW_BAD_MEASUREMENT'],
      [{ payload: {}, dt: -1 }, 'TWINFLOW_BAD_STEP'],
      [{ payload: {}, dt: 0 }, 'TWINFLOW_BAD_STEP'],
      [{ command: 'teleport' }, 'TWINFLOW_BAD_COMMAND'],
      [{ command: 'restore', payload: { model: 'tank' } }, 'TWINFLOW_BAD_COMMAND'],
      [{ command: 'set', payload: { params: { colour: 1 } } }, 'TWINFLOW_UNKNOWN_PARAMETER'],
      [{ command: 'fault', payload: { kind: 'gremlin', target: 'flow' } }, 'TWINFLOW_BAD_FAULT'],
      [{ command: 'fork', payload: { seconds: -5 } }, 'TWINFLOW_BAD_COMMAND'],
    ];
    for (const [msg, code] of cases) {
      caught.length = 0;
      await send(msg);
      assert.equal((caught[0]?.error as { code?: string } | undefined)?.code, code, JSON.stringify(msg));
    }
    assert.equal(JSON.stringify(await snapshot()), before);
  });

  it('runs a user model written as expressions', async () => {
    const ode = JSON.stringify({
      states: { T: { start: 20, derivative: '(P * k + ambient - T) / tau', unit: 'degC' } },
      inputs: { P: 100, ambient: 20 },
      parameters: { k: 0.5, tau: 600 },
      outputs: { T: 'T' },
    });
    await helper.load(twinSim, flow({ model: 'ode', ode, params: '{}', initialInputs: '{}', step: '600' }));
    const out = collect(node('out'));
    await send({ payload: {} });
    assert.ok(Math.abs((out[0].payload as Envelope).T.value - (20 + 50 * (1 - Math.exp(-1)))) < 1e-5);
  });
});

describe('twin-sim node: never a hang (system clock, real event loop)', function () {
  this.timeout(120_000);
  let loop: IntervalHistogram;
  beforeEach(() => {
    useSettings({});
    loop = monitorEventLoopDelay({ resolution: 10 });
  });
  afterEach(async () => {
    loop.disable();
    await helper.unload();
  });
  /** The longest the event loop was held while `work` ran, in ms. */
  async function maxDelayDuring(work: () => Promise<void>): Promise<number> {
    loop.reset();
    loop.enable();
    await work();
    await settle(30); // the monitor samples on a 10 ms timer: let a late sample land
    loop.disable();
    return loop.max / 1e6;
  }
  // The test helper's RED._ returns the key, so a status reads as its catalogue key ("progress" is "run 42%").
  const statusTexts = (): string[] =>
    (node('s1').status as unknown as { getCalls(): { args: [{ fill?: string; text?: string }] }[] })
      .getCalls()
      .map((c) => `${c.args[0].fill}:${c.args[0].text}`);

  it('ends hostile messages with an error at Catch, within the budget, and changes nothing', async () => {
    const stiff = JSON.stringify({
      states: Object.fromEntries(
        Array.from({ length: 50 }, (_, i) => [
          `x${i}`,
          { start: 1, derivative: `-1e7 * (x${i} - ${i === 0 ? 'u' : `x${i - 1}`})` },
        ]),
      ),
      inputs: { u: 0 },
    });
    const tenYears = 10 * 365.25 * 86400_000;
    const cases: [Record<string, unknown>, AnyMessage[], string][] = [
      [
        { model: 'pid', params: '{}', initialInputs: '{}', step: '0.05' },
        [{ dt: 1e17 }],
        'TWINFLOW_TOO_LONG',
      ],
      [
        { model: 'pid', params: '{"sampleTime": 1e-9}', initialInputs: '{}' },
        [{ payload: {}, dt: 1 }],
        'TWINFLOW_OVER_BUDGET',
      ],
      [
        { model: 'motor-thermal', mode: 'shadow', params: '{}', initialInputs: '{}' },
        [
          { timestamp: Date.now(), payload: { current: 50 } },
          { timestamp: Date.now() + tenYears, payload: { current: 50 } },
        ],
        'TWINFLOW_TOO_LONG',
      ],
      [
        { model: 'ode', ode: stiff, params: '{}', initialInputs: '{}' },
        [{ payload: {} }],
        'TWINFLOW_TOO_STIFF',
      ],
    ];
    for (const [settings, messages, expected] of cases) {
      await helper.load(twinSim, flow({ ...settings, version: 3 }));
      const caught = collect(node('caught'));
      for (const msg of messages.slice(0, -1)) await send(msg);
      const before = JSON.stringify(await snapshot());
      const delay = await maxDelayDuring(() => send(messages.at(-1)!));
      assert.equal(
        (caught[0]?.error as { code?: string } | undefined)?.code,
        expected,
        JSON.stringify(settings),
      );
      assert.ok(delay < 200, `event loop held ${delay} ms by ${expected}`);
      assert.equal(JSON.stringify(await snapshot()), before, `${expected} changed the simulation`);
      await helper.unload();
    }
    // restore with a step of 1e-12 s
    await helper.load(twinSim, flow({ version: 3 }));
    const caught = collect(node('caught'));
    const snap = await snapshot();
    await send({ command: 'restore', payload: { ...snap, h: 1e-12 } });
    assert.equal((caught[0]?.error as { code?: string } | undefined)?.code, 'TWINFLOW_BAD_SNAPSHOT');
    assert.deepEqual(await snapshot(), snap);
  });

  it('runs a 1M-step batch in slices with progress, keeping the event loop free', async () => {
    await helper.load(
      twinSim,
      flow({ model: 'motor-thermal', params: '{}', initialInputs: '{}', version: 3 }),
    );
    const results = collect(node('results'));
    const delay = await maxDelayDuring(() =>
      sendAndWait('s1', { command: 'run', payload: 1_000_000 }, 110_000),
    );
    assert.equal((results[0]?.payload as { time: number }).time, 1_000_000);
    assert.equal(((await snapshot()) as { time: number }).time, 1_000_000, 'a run commits its end');
    const progress = statusTexts().filter((t) => t === 'blue:progress');
    assert.ok(progress.length >= 1, `progress statuses: ${statusTexts().join(' | ')}`);
    assert.ok(delay < 200, `event loop held ${delay} ms`);
  });

  it('cancels a long fork: the fork ends at Catch, cancel answers on the third output', async () => {
    await helper.load(twinSim, flow({ version: 3, step: '0.001' }));
    const results = collect(node('results'));
    const caught = collect(node('caught'));
    const before = await snapshot();
    node('s1').receive({ command: 'fork', payload: 1000 } as never);
    await waitFor(() => statusTexts().includes('blue:progress'), 20_000, 'a progress status');
    await send({ command: 'cancel' });
    await waitFor(() => caught.length > 0, 5000, 'the fork to end');
    assert.equal((caught[0].error as { code?: string }).code, 'TWINFLOW_CANCELLED');
    const reply = results.find((m) => m.command === 'cancel')!.payload as Record<string, unknown>;
    assert.equal(reply.cancelled, true);
    assert.equal(reply.command, 'fork');
    assert.ok(typeof reply.progress === 'number' && reply.progress < 100);
    assert.deepEqual(await snapshot(), before);
    await send({ command: 'cancel' });
    assert.deepEqual(results.at(-1)!.payload, { cancelled: false }, 'nothing to cancel');
  });
});

describe('twin-sim node: the real-time clock against the system clock', function () {
  this.timeout(10_000);
  beforeEach(() => useSettings({}));
  afterEach(() => helper.unload());

  it('at speed 10 stamps no output ahead of the wall clock', async () => {
    await helper.load(twinSim, flow({ mode: 'realtime', speed: '10', autostart: true, version: 3 }));
    const late: number[] = [];
    let outputs = 0;
    node('out').on('input', (msg: AnyMessage) => {
      outputs++;
      const stamp = (msg.sim as { timestamp: number }).timestamp;
      if (stamp > Date.now()) late.push(stamp - Date.now());
    });
    await waitFor(() => outputs >= 10, 5000, 'ten plant steps');
    assert.deepEqual(late, [], 'timestamps ahead of the wall clock (ms)');
  });
});
