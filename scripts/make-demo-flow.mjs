// Writes examples/demo/01 - Pump station and packaging line.json: the flow `npm start` deploys first. Kept as a
// generator because the plant repeats the same wiring per pump; run `node scripts/make-demo-flow.mjs` after editing.
import { readFileSync, writeFileSync } from 'node:fs';
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
    'This flow is the demo `npm start` deploys. The plant is simulated in this flow, and its PLC is an OPC UA server in it. The UNS part (twin-uns) needs an MQTT broker on mqtt://127.0.0.1:1883, which `npm start` runs beside Node-RED; elsewhere, point the "local broker" node at yours (without one, twin-uns buffers and everything else works).',
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
    // The plant runs on the node's own clock, paced by the wall clock (timestamps never ahead of it, no drift).
    mode: 'realtime',
    speed: '1',
    seed: String(p.seed),
    twin: p.twin,
    autostart: true,
    version: 1,
    x: 370,
    y,
    wires: [[id('plc')], [], [id('simResults')]],
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
  mode: 'realtime',
  speed: '1',
  seed: '21',
  twin: 'Line1',
  autostart: true,
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
// Commands from the dashboard (fault buttons, what-if forks) arrive over a link and go to the pump they name.
nodes.push({
  id: id('fromDash'),
  type: 'link in',
  name: 'from the dashboard',
  links: [id('dToPlant')],
  x: 130,
  y: fy + 100,
  wires: [[id('route')]],
});
nodes.push({
  id: id('route'),
  type: 'switch',
  name: 'to the pump named in msg.topic',
  property: 'topic',
  propertyType: 'msg',
  rules: [...PUMPS.map((p) => ({ t: 'eq', v: p.twin, vt: 'str' })), { t: 'eq', v: 'all', vt: 'str' }],
  checkall: 'true',
  repair: false,
  outputs: PUMPS.length + 1,
  x: 330,
  y: fy + 100,
  wires: [...PUMPS.map((p) => [id(`sim${p.twin}`)]), PUMPS.map((p) => id(`sim${p.twin}`))],
});
nodes.push({
  id: id('simResults'),
  type: 'link out',
  name: 'what-if results',
  mode: 'link',
  links: [id('dResults')],
  x: 640,
  y: 300,
  wires: [],
});

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
    // Counts are integers; the OEE factors are ratios (0 to 1) and have no unit.
    { name: 'state', type: 'integer' },
    { name: 'total', type: 'integer' },
    { name: 'good', type: 'integer' },
    { name: 'availability', type: 'number', history: 300 },
    { name: 'performance', type: 'number' },
    { name: 'quality', type: 'number' },
    { name: 'oee', type: 'number', history: 300 },
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
  connectTimeout: 5,
  // The PLC is on this machine: while it is off, the endpoint retries every second at most, so its values are back
  // within about a second of the PLC being switched on (README, step 3).
  maxRetryDelay: 1,
  version: 2,
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
    ['state', 'total', 'good', 'availability', 'performance', 'quality', 'oee'].map((p) => [p]),
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
  wires: [
    [id('anomaly'), id('onlyPump01'), id('unsPumps'), id('toDashTwins')],
    [],
    [id('events'), id('toDashEvents')],
  ],
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
  wires: [[id('unsLine'), id('toDashTwins')], [], [id('events'), id('toDashEvents')]],
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
  wires: [[id('toDashScores')], [id('alarms'), id('toDashAlarms')]],
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
  wires: [[], [id('alarms'), id('toDashAlarms')]],
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

for (const [name, label, target, yy] of [
  ['toDashTwins', 'twins to the dashboard', 'dTwins', 800],
  ['toDashScores', 'scores to the dashboard', 'dScores', 840],
  ['toDashAlarms', 'alarms to the dashboard', 'dAlarms', 880],
  ['toDashEvents', 'stale / fresh to the dashboard', 'dEvents', 920],
]) {
  nodes.push({
    id: id(name),
    type: 'link out',
    name: label,
    mode: 'link',
    links: [id(target)],
    x: 870,
    y: yy,
    wires: [],
  });
}

// --- The dashboard (FlowFuse Dashboard 2.0, on its own tab) ----------------------------------------------------
// Each widget is a ui-template whose Vue component lives in scripts/dashboard/*.vue (readable, with syntax colour in
// an editor) and is inlined here. passthru is off: a widget's input must never loop back out to the plant.
const vue = (name, values = {}) => {
  let text = readFileSync(join(root, 'scripts', 'dashboard', `${name}.vue`), 'utf8');
  for (const [key, value] of Object.entries(values))
    text = text.split(`__${key}__`).join(JSON.stringify(value));
  return text;
};
const dash = [];
dash.push({
  id: id('dComment'),
  type: 'comment',
  name: 'TwinFlow demo dashboard (http://127.0.0.1:1880/dashboard)',
  info: [
    "**Needs `@flowfuse/node-red-dashboard`** (FlowFuse Dashboard 2.0): install it from the palette manager before importing this flow, or Node-RED stops the flows for the missing node types. `npm install` in the TwinFlow project brings it as a development dependency; TwinFlow's nodes do not need it.",
    '',
    'The live view of the demo plant. A page that opens or reloads starts from the current state (values, quality, staleness, alarms, recent scores), kept by the "dashboard state" function node.',
    '',
    'It expects the flow "Pump station and packaging line" beside it: the link nodes on the left receive the twins, their stale / fresh events, the anomaly scores and the alarms from it, and the link on the right sends fault injections and what-if requests back.',
    '',
    '- **Twins**: a card per twin with live values, units, quality and how long ago each value arrived.',
    '- **Anomaly**: the pump health score over time, with the selected signal, its expected value and band.',
    '- **Alarms** raised and cleared by twin-anomaly.',
    '- **Line OEE** from the packaging line twin.',
    "- **What-if**: forks a pump's model from its current state, changes its speed and runs it 30 minutes ahead.",
    '- **Faults**: one button per fault, the same as the inject nodes in the plant flow.',
  ].join('\n'),
  x: 330,
  y: 40,
  wires: [],
});
dash.push({
  id: id('dBase'),
  type: 'ui-base',
  name: 'TwinFlow',
  path: '/dashboard',
  appIcon: '',
  includeClientData: true,
  acceptsClientConfig: ['ui-notification', 'ui-control'],
  showPathInSidebar: false,
  headerContent: 'page',
  navigationStyle: 'default',
  titleBarStyle: 'default',
  showReconnectNotification: true,
  notificationDisplayTime: 1,
  showDisconnectNotification: true,
  allowInstall: false,
});
dash.push({
  id: id('dTheme'),
  type: 'ui-theme',
  name: 'TwinFlow',
  colors: {
    surface: '#1f3a56',
    primary: '#0d74ce',
    bgPage: '#f3f5f8',
    groupBg: '#ffffff',
    groupOutline: '#d9d9e0',
  },
  sizes: {
    density: 'default',
    pagePadding: '12px',
    groupGap: '12px',
    groupBorderRadius: '6px',
    widgetGap: '12px',
  },
});
dash.push({
  id: id('dPage'),
  type: 'ui-page',
  name: 'Pump station and packaging line',
  ui: id('dBase'),
  path: '/plant',
  icon: 'factory',
  layout: 'grid',
  theme: id('dTheme'),
  breakpoints: [
    { name: 'Default', px: 0, cols: 3 },
    { name: 'Tablet', px: 576, cols: 6 },
    { name: 'Small Desktop', px: 768, cols: 9 },
    { name: 'Desktop', px: 1024, cols: 12 },
  ],
  order: 1,
  className: '',
  visible: 'true',
  disabled: 'false',
});
const GROUPS = [
  ['Twins', 12],
  ['Anomaly', 8],
  ['Alarms', 4],
  ['WhatIf', 8],
  ['LineOEE', 4],
  ['Faults', 12],
];
const TITLES = { WhatIf: 'What-if', LineOEE: 'Line OEE' };
GROUPS.forEach(([name, width], i) =>
  dash.push({
    id: id(`dg${name}`),
    type: 'ui-group',
    name: TITLES[name] ?? name,
    page: id('dPage'),
    width: String(width),
    height: '1',
    order: i + 1,
    showTitle: true,
    className: '',
    visible: 'true',
    disabled: 'false',
    groupType: 'default',
  }),
);
const template = (name, group, format, order, x, y, wires = []) =>
  dash.push({
    id: id(`dt${name}`),
    type: 'ui-template',
    z: '',
    group: id(`dg${group}`),
    page: '',
    ui: '',
    name,
    order,
    width: '0',
    height: '0',
    head: '',
    format,
    storeOutMessages: false,
    passthru: false,
    resendOnRefresh: false,
    templateScope: 'local',
    className: '',
    x,
    y,
    wires: [wires],
  });
// The widgets that show current state ask the state keeper for it when they mount (a page opens or reloads).
template('twin cards', 'Twins', vue('twins'), 1, 620, 120, [id('dState')]);
template('anomaly chart', 'Anomaly', vue('anomaly'), 1, 620, 200, [id('dState')]);
template('alarm list', 'Alarms', vue('alarms'), 1, 620, 260, [id('dState')]);
template('line OEE', 'LineOEE', vue('oee'), 1, 620, 160, [id('dState')]);
dash.push({
  id: id('dState'),
  type: 'function',
  name: 'dashboard state (replayed to a page that opens)',
  func: readFileSync(join(root, 'scripts', 'dashboard', 'state.js'), 'utf8'),
  outputs: 4,
  timeout: 0,
  noerr: 0,
  initialize: '',
  finalize: '',
  libs: [],
  x: 360,
  y: 200,
  wires: [[id('dttwincards')], [id('dtlineOEE')], [id('dtanomalychar')], [id('dtalarmlist')]],
});
template('what-if', 'WhatIf', vue('whatif', { PUMPS: PUMPS.map((p) => p.twin) }), 1, 420, 320, [
  id('dToPlant'),
]);
template('fault buttons', 'Faults', vue('faults', { FAULTS: faults }), 1, 420, 380, [id('dToPlant')]);
for (const [name, label, from, to, yy] of [
  ['dTwins', 'twins', 'toDashTwins', [id('dState')], 140],
  ['dScores', 'anomaly scores', 'toDashScores', [id('dState')], 200],
  ['dAlarms', 'alarms', 'toDashAlarms', [id('dState')], 260],
  ['dEvents', 'stale / fresh', 'toDashEvents', [id('dState')], 380],
  ['dResults', 'what-if results', 'simResults', [id('dtwhatif')], 320],
]) {
  dash.push({ id: id(name), type: 'link in', name: label, links: [id(from)], x: 150, y: yy, wires: [to] });
}
dash.push({
  id: id('dToPlant'),
  type: 'link out',
  name: 'to the plant',
  mode: 'link',
  links: [id('fromDash')],
  x: 680,
  y: 350,
  wires: [],
});

// Ids are cut to 16 characters: make sure no two names collided.
const ids = [...nodes, ...dash].map((n) => n.id);
const duplicate = ids.find((x, i) => ids.indexOf(x) !== i);
if (duplicate) throw new Error(`duplicate node id ${duplicate}: give one of them a shorter name`);
for (const n of [...nodes, ...dash]) {
  for (const target of [...(n.wires ?? []).flat(), ...(n.links ?? [])]) {
    if (!ids.includes(target)) throw new Error(`${n.type} ${n.id} points at ${target}, which does not exist`);
  }
}

writeFileSync(
  join(root, 'examples', 'demo', '01 - Pump station and packaging line.json'),
  JSON.stringify(nodes, null, 2) + '\n',
);
writeFileSync(join(root, 'examples', 'demo', '02 - Dashboard.json'), JSON.stringify(dash, null, 2) + '\n');
console.log(
  `wrote the demo flows: ${nodes.length} nodes for the plant and twins, ${dash.length} for the dashboard`,
);
