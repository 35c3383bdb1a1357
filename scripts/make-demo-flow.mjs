// Writes examples/demo/01 - Pump station and packaging line.json: the flow `npm start` deploys first. Kept as a
// generator because the plant repeats the same wiring per pump; run `node scripts/make-demo-flow.mjs` after editing.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PUMPS = [
  { twin: 'Pump01', seed: 11, valve: 80 },
  { twin: 'Pump02', seed: 12, valve: 70 },
  { twin: 'Pump03', seed: 13, valve: 90 },
];
const NS = 'urn:twinflow:demo:plant';
const nodes = [];
let y = 120;
const id = (name) => `demo${name.replace(/[^A-Za-z0-9]/g, '')}`.padEnd(16, '0').slice(0, 16);

nodes.push({
  id: id('comment'),
  type: 'comment',
  name: 'TwinFlow demo: pump station and packaging line',
  info: [
    'This flow is the demo `npm start` deploys. It expects nothing else: the plant is simulated in this flow.',
    '',
    "**Top: the virtual plant.** Three pumps and a packaging line are twin-sim models stepped every second, with random and scheduled faults (a closing valve, cavitation, bearing wear, a stuck sensor, a motor overload). Their outputs go to twin-opcua-server, the plant's PLC, on opc.tcp://127.0.0.1:4840/UA/TwinFlow (namespace " +
      NS +
      ').',
    '',
    "**Bottom: the digital twins.** twin-opcua-map reads the PLC over OPC UA into twin-state (one twin per pump and one for the line, with quality, staleness and history). twin-anomaly watches each pump's correlated signals (multivariate T² + Q) and the alarms go to the debug tab. A motor model runs in shadow mode beside Pump01 and its residual is watched too.",
    '',
    'Open the **twins** tab in the sidebar to see every twin live. Use the inject nodes on the left to inject each fault by hand.',
  ].join('\n'),
  x: 330,
  y: 40,
  wires: [],
});

nodes.push({
  id: id('tick'),
  type: 'inject',
  name: 'plant clock (1 s)',
  props: [{ p: 'payload' }],
  repeat: '1',
  crontab: '',
  once: true,
  onceDelay: 1,
  topic: '',
  payload: '{}',
  payloadType: 'json',
  x: 130,
  y,
  wires: [[...PUMPS.map((p) => id(`sim${p.twin}`)), id('simLine')]],
});

for (const p of PUMPS) {
  nodes.push({
    id: id(`sim${p.twin}`),
    type: 'twin-sim',
    name: `${p.twin} (machine)`,
    model: 'pump',
    ode: '',
    params: JSON.stringify({ vibrationNoise: 0.05, measurementNoise: 0.004 }),
    initialInputs: JSON.stringify({ speed: 100, valve: p.valve }),
    step: '1',
    mode: 'message',
    speed: '1',
    seed: String(p.seed),
    twin: p.twin,
    autostart: false,
    version: 1,
    x: 370,
    y,
    wires: [[id('plc')], [], []],
  });
  y += 50;
}
nodes.push({
  id: id('simLine'),
  type: 'twin-sim',
  name: 'Line1 (machine)',
  model: 'machine',
  ode: '',
  params: JSON.stringify({ mtbf: 600, mttr: 60, cycleTime: 2, speedFactor: 0.95, scrap: 0.02 }),
  initialInputs: JSON.stringify({ run: 1 }),
  step: '1',
  mode: 'message',
  speed: '1',
  seed: '21',
  twin: 'Line1',
  autostart: false,
  version: 1,
  x: 370,
  y,
  wires: [[id('plc')], [], []],
});
y += 50;

// Fault buttons: each injects into one pump model.
const faults = [
  { name: 'valve closing (Pump01)', target: 'Pump01', command: 'set', payload: { inputs: { valve: 30 } } },
  {
    name: 'cavitation (Pump02)',
    target: 'Pump02',
    command: 'fault',
    payload: { kind: 'degradation', target: 'npshMargin', magnitude: -0.05, duration: 120 },
  },
  {
    name: 'bearing wear (Pump03)',
    target: 'Pump03',
    command: 'fault',
    payload: { kind: 'drift', target: 'vibration', magnitude: 0.02, duration: 300 },
  },
  {
    name: 'stuck flow sensor (Pump02)',
    target: 'Pump02',
    command: 'fault',
    payload: { kind: 'stuck', target: 'flow', duration: 180 },
  },
  {
    name: 'motor overload (Pump03)',
    target: 'Pump03',
    command: 'set',
    payload: { inputs: { speed: 118, valve: 100 } },
  },
  { name: 'back to normal (all)', target: 'all', command: 'reset', payload: {} },
];
let fy = 320;
for (const f of faults) {
  nodes.push({
    id: id(`fault${f.name}`),
    type: 'inject',
    name: f.name,
    props: [{ p: 'payload' }, { p: 'command', v: f.command, vt: 'str' }],
    repeat: '',
    crontab: '',
    once: false,
    onceDelay: 0.1,
    topic: '',
    payload: JSON.stringify(f.payload),
    payloadType: 'json',
    x: 150,
    y: fy,
    wires: [f.target === 'all' ? PUMPS.map((p) => id(`sim${p.twin}`)) : [id(`sim${f.target}`)]],
  });
  fy += 40;
}
// A scheduled random fault every 10 minutes, so the demo shows alarms without a click.
nodes.push({
  id: id('randomFault'),
  type: 'inject',
  name: 'random fault every 10 min',
  props: [{ p: 'payload' }, { p: 'command', v: 'fault', vt: 'str' }],
  repeat: '600',
  crontab: '',
  once: false,
  onceDelay: 0.1,
  topic: '',
  payload: JSON.stringify({ kind: 'bias', target: 'pressure', magnitude: 0.8, duration: 90 }),
  payloadType: 'json',
  x: 160,
  y: fy,
  wires: [[id('simPump01')]],
});

nodes.push({
  id: id('plc'),
  type: 'twin-opcua-server',
  name: 'plant PLC',
  port: '4840',
  host: '127.0.0.1',
  resourcePath: '/UA/TwinFlow',
  namespace: NS,
  model: '',
  version: 1,
  x: 640,
  y: 180,
  wires: [[]],
});

// --- The twins side -------------------------------------------------------------------------------------------
// [name, unit, deadband, staleAfter ms]: constant signals (voltage, valve, fluid temperature) are not watched for
// staleness, because OPC UA reports by exception and a value that never changes is never reported again.
const pumpProps = [
  ['flow', 'm3/h', 0.05, 10000],
  ['pressure', 'bar', 0.001, 10000],
  ['current', 'A', 0.01, 10000],
  ['voltage', 'V', 1, 0],
  ['motorTemperature', 'degC', 0.01, 30000],
  ['fluidTemperature', 'degC', 0.1, 0],
  ['vibration', 'mm/s', 0.01, 10000],
  ['valvePosition', '%', 0.5, 0],
];
nodes.push({
  id: id('modelPump'),
  type: 'twin-model',
  name: 'Pump',
  properties: JSON.stringify(
    pumpProps.map(([name, unit, deadband, staleAfter]) => ({
      name,
      type: 'number',
      unit,
      deadband,
      staleAfter,
      history: 300,
    })),
  ),
  enterprise: 'Acme',
  site: 'Plant1',
  area: 'Utilities',
  line: 'PumpStation',
  cell: '',
  staleAfter: '30000',
  store: '',
  version: 1,
});
nodes.push({
  id: id('modelLine'),
  type: 'twin-model',
  name: 'PackagingLine',
  properties: JSON.stringify([
    { name: 'state', type: 'number' },
    { name: 'total', type: 'number' },
    { name: 'good', type: 'number' },
    { name: 'availability', type: 'number', unit: '1', history: 300 },
    { name: 'performance', type: 'number', unit: '1' },
    { name: 'quality', type: 'number', unit: '1' },
    { name: 'oee', type: 'number', unit: '1', history: 300 },
  ]),
  enterprise: 'Acme',
  site: 'Plant1',
  area: 'Packaging',
  line: 'Line1',
  cell: '',
  staleAfter: '30000',
  store: '',
  version: 1,
});
nodes.push({
  id: id('endpoint'),
  type: 'twin-opcua-endpoint',
  name: 'plant PLC',
  url: 'opc.tcp://127.0.0.1:4840/UA/TwinFlow',
  securityMode: 'None',
  securityPolicy: 'None',
  version: 1,
});
const mappingFor = (props, instances) =>
  JSON.stringify({
    namespace: NS,
    properties: props.map(([property, unit]) => ({
      property,
      nodeId: `nsu=${NS};s={instance}.${property}`,
      samplingInterval: 1000,
      ...(unit ? { unit } : {}),
    })),
    instances: instances.map((twin) => ({ twin })),
  });
nodes.push({
  id: id('mapPumps'),
  type: 'twin-opcua-map',
  name: 'pumps from the PLC',
  endpoint: id('endpoint'),
  mapping: mappingFor(
    pumpProps,
    PUMPS.map((p) => p.twin),
  ),
  version: 1,
  x: 180,
  y: 620,
  wires: [[id('statePumps')], [id('statePumps')]],
});
nodes.push({
  id: id('mapLine'),
  type: 'twin-opcua-map',
  name: 'line from the PLC',
  endpoint: id('endpoint'),
  mapping: mappingFor(
    ['state', 'total', 'good', 'availability', 'performance', 'quality', 'oee'].map((p) => [
      p,
      p === 'state' || p === 'total' || p === 'good' ? '' : '1',
    ]),
    ['Line1'],
  ),
  version: 1,
  x: 180,
  y: 700,
  wires: [[id('stateLine')], []],
});
nodes.push({
  id: id('statePumps'),
  type: 'twin-state',
  name: 'pump twins',
  model: id('modelPump'),
  action: 'msg',
  twinId: 'topic',
  twinIdType: 'msg',
  version: 1,
  x: 410,
  y: 620,
  wires: [[id('anomaly'), id('onlyPump01'), id('unsPumps')], [], [id('events')]],
});
nodes.push({
  id: id('stateLine'),
  type: 'twin-state',
  name: 'line twin',
  model: id('modelLine'),
  action: 'report',
  twinId: 'topic',
  twinIdType: 'msg',
  version: 1,
  x: 410,
  y: 700,
  wires: [[id('unsLine')], [], [id('events')]],
});
nodes.push({
  id: id('mqtt'),
  type: 'twin-mqtt-broker',
  name: 'local broker',
  url: 'mqtt://127.0.0.1:1883',
  clientId: '',
  protocolVersion: '4',
  version: 1,
});
for (const [uns, model, yy, back] of [
  ['unsPumps', 'modelPump', 580, 'statePumps'],
  ['unsLine', 'modelLine', 760, 'stateLine'],
]) {
  nodes.push({
    id: id(uns),
    type: 'twin-uns',
    name: uns === 'unsPumps' ? 'UNS: pumps' : 'UNS: line',
    broker: id('mqtt'),
    model: id(model),
    topic: '{enterprise}/{site}/{area}/{line}/{cell}/{twin}/{property}',
    qos: '1',
    retain: true,
    publishTwin: true,
    commands: true,
    setSuffix: 'set',
    bufferSize: '10000',
    version: 1,
    x: 640,
    y: yy,
    wires: [[id(back)]],
  });
}
nodes.push({
  id: id('anomaly'),
  type: 'twin-anomaly',
  name: 'pump health (T² + Q)',
  detector: 'hotelling',
  params: JSON.stringify({ warmup: 60, alpha: 0.005 }),
  signals: 'flow, pressure, current, motorTemperature, vibration',
  signalName: 'value',
  runningProperty: '',
  threshold: '0.9999',
  raiseK: '3',
  raiseN: '5',
  clearM: '30',
  learnInAlarm: false,
  store: '',
  version: 1,
  x: 660,
  y: 600,
  wires: [[], [id('alarms')]],
});
nodes.push({
  id: id('onlyPump01'),
  type: 'switch',
  name: 'Pump01',
  property: 'topic',
  propertyType: 'msg',
  rules: [{ t: 'eq', v: 'Pump01', vt: 'str' }],
  checkall: 'true',
  repair: false,
  outputs: 1,
  x: 640,
  y: 660,
  wires: [[id('shadow')]],
});
// The shadow model is a user model written as an expression: the winding temperature from the measured current.
nodes.push({
  id: id('shadow'),
  type: 'twin-sim',
  name: 'Pump01 motor model (shadow)',
  model: 'ode',
  ode: JSON.stringify({
    name: 'motor',
    states: {
      motorTemperature: {
        start: 25,
        unit: 'degC',
        derivative: '(ambient + ratedRise * (current / ratedCurrent) ^ 2 - motorTemperature) / tau',
      },
    },
    inputs: { current: 0, ambient: 25 },
    parameters: { ratedRise: 60, ratedCurrent: 12, tau: 900 },
  }),
  params: '{}',
  initialInputs: '{}',
  step: '1',
  mode: 'shadow',
  speed: '1',
  seed: '1',
  twin: 'Pump01',
  autostart: false,
  version: 1,
  x: 840,
  y: 660,
  wires: [[], [id('residualWatch')], []],
});
nodes.push({
  id: id('residualWatch'),
  type: 'twin-anomaly',
  name: 'motor residual',
  detector: 'ewma',
  params: JSON.stringify({ alpha: 0.01, warmup: 120 }),
  signals: '',
  signalName: 'value',
  runningProperty: '',
  threshold: '0.9999',
  raiseK: '3',
  raiseN: '5',
  clearM: '30',
  learnInAlarm: false,
  store: '',
  version: 1,
  x: 1070,
  y: 660,
  wires: [[], [id('alarms')]],
});
nodes.push({
  id: id('alarms'),
  type: 'debug',
  name: 'alarms',
  active: true,
  tosidebar: true,
  console: false,
  tostatus: false,
  complete: 'payload',
  targetType: 'msg',
  x: 1260,
  y: 620,
  wires: [],
});
nodes.push({
  id: id('events'),
  type: 'debug',
  name: 'stale / fresh',
  active: false,
  tosidebar: true,
  console: false,
  tostatus: false,
  complete: 'payload',
  targetType: 'msg',
  x: 660,
  y: 740,
  wires: [],
});

writeFileSync(
  join(root, 'examples', 'demo', '01 - Pump station and packaging line.json'),
  JSON.stringify(nodes, null, 2) + '\n',
);
console.log(`wrote the demo flow: ${nodes.length} nodes`);
