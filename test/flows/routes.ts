import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Node, NodeInitializer } from 'node-red';
import { TestBroker } from '../helpers/mqtt-broker';
import { type AnyMessage, helper, type TestFlow, waitFor } from '../helpers/node-red';

/**
 * The ways a real flow builds a TwinFlow node's payload, each with Node-RED's own core nodes in front of one instance
 * of the node under test (`tf-<route>`), so every route's results can be compared with the plain objects a test
 * builds itself (the `plain` route):
 * - function: a function node copies the payload into object and array literals of its own vm realm;
 * - json: a JSON node parses the text;
 * - template: a mustache template node with parsed JSON output;
 * - change: a change node sets msg.payload with JSONata `$eval` (JSONata's own arrays and objects);
 * - mqtt: an mqtt in node (parsed JSON) subscribed on an aedes broker in this process.
 * The twin id (msg.topic) is the route's name, so one model can serve every route.
 */
export const ROUTES = ['plain', 'function', 'json', 'template', 'change', 'mqtt'] as const;
export type Route = (typeof ROUTES)[number];

const CORE = join(require.resolve('@node-red/nodes/package.json'), '..', 'core');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const core = (path: string): NodeInitializer => require(join(CORE, path)) as NodeInitializer;
export const CORE_NODES: NodeInitializer[] = [
  core('function/10-function.js'),
  core('parsers/70-JSON.js'),
  core('function/80-template.js'),
  core('function/15-change.js'),
  core('network/10-mqtt.js'),
];

/** Copies a value into literals of the function node's realm (what a user's `msg.payload = {...}` produces). */
const COPY_IN_FUNCTION = `
const copy = (v) => {
  if (Array.isArray(v)) { const a = []; for (const x of v) a.push(copy(x)); return a; }
  if (v !== null && typeof v === 'object') { const o = {}; for (const k of Object.keys(v)) o[k] = copy(v[k]); return o; }
  return v;
};
msg.payload = copy(msg.payload);
msg.realmOfPayload = Object.getPrototypeOf(msg.payload) === Object.getPrototypeOf(msg) ? 'host' : 'function';
return msg;`;

/**
 * The flow: for each route, the builder nodes, the node under test made by `target(id)` with `outputs` ports each
 * wired to a helper `out-<route>-<port>`, and a Catch and a Complete node scoped to them all (helpers `err`, `done`).
 * Messages sent by the test carry `_msgid` `<route>-<n>` (function, JSON, template and change nodes keep it), so
 * a finished message tells its route; the mqtt in node's messages have ids of their own.
 */
export function routeFlow(
  target: (id: string) => Record<string, unknown>,
  outputs: number,
  brokerPort: number,
  shared: object[] = [],
): TestFlow {
  const nodes: object[] = [{ id: 'f1', type: 'tab' }, ...shared];
  nodes.push({
    id: 'mb',
    type: 'mqtt-broker',
    broker: '127.0.0.1',
    port: String(brokerPort),
    clientid: '',
    autoConnect: true,
    usetls: false,
    protocolVersion: '4',
    keepalive: '60',
    cleansession: true,
  });
  for (const route of ROUTES) {
    const tf = `tf-${route}`;
    const wires = Array.from({ length: outputs }, (_, port) => [`out-${route}-${port}`]);
    nodes.push({ ...target(tf), id: tf, z: 'f1', wires });
    for (let port = 0; port < outputs; port++)
      nodes.push({ id: `out-${route}-${port}`, type: 'helper', z: 'f1' });
  }
  // One Catch and one Complete node for all (the test helper registers their types once per such node in a flow).
  const scope = ROUTES.map((route) => `tf-${route}`);
  nodes.push(
    { id: 'catch-all', type: 'catch', z: 'f1', scope, uncaught: false, wires: [['err']] },
    { id: 'err', type: 'helper', z: 'f1' },
    { id: 'complete-all', type: 'complete', z: 'f1', scope, uncaught: false, wires: [['done']] },
    { id: 'done', type: 'helper', z: 'f1' },
  );
  nodes.push(
    {
      id: 'in-function',
      type: 'function',
      z: 'f1',
      func: COPY_IN_FUNCTION,
      outputs: 1,
      wires: [['tf-function']],
    },
    {
      id: 'in-json',
      type: 'json',
      z: 'f1',
      action: 'obj',
      property: 'payload',
      pretty: false,
      wires: [['tf-json']],
    },
    {
      id: 'in-template',
      type: 'template',
      z: 'f1',
      field: 'payload',
      fieldType: 'msg',
      format: 'handlebars',
      syntax: 'mustache',
      template: '{{{payload}}}',
      output: 'json',
      wires: [['tf-template']],
    },
    {
      id: 'in-change',
      type: 'change',
      z: 'f1',
      rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '$eval(payload)', tot: 'jsonata' }],
      wires: [['tf-change']],
    },
    {
      id: 'in-mqtt',
      type: 'mqtt in',
      z: 'f1',
      topic: 'mqtt',
      qos: '1',
      datatype: 'json',
      broker: 'mb',
      nl: false,
      rap: true,
      rh: 0,
      inputs: 0,
      wires: [['tf-mqtt']],
    },
  );
  return nodes as TestFlow;
}

const node = (id: string): Node => helper.getNode(id) as Node;

/** A started aedes broker and a publisher on it; call `ready()` after loading the flow. */
export class Routes {
  readonly broker = new TestBroker();
  private publisher?: MqttClient;
  private readonly finished = new Map<Route, number>();
  readonly outputs = new Map<string, AnyMessage[]>();
  readonly errors = new Map<Route, AnyMessage[]>();
  /** Where the function route's payloads were built: 'function' when not in this (the host's) realm. */
  readonly realms: string[] = [];
  private sent = 0;

  async start(): Promise<number> {
    await this.broker.start();
    this.publisher = await mqtt.connectAsync(this.broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
    return this.broker.port;
  }

  /** Listens on the loaded flow's helper nodes and waits until the mqtt in node is connected and subscribed. */
  async ready(outputs: number): Promise<void> {
    this.finished.clear();
    this.outputs.clear();
    this.errors.clear();
    const routeOf = (msg: AnyMessage): Route =>
      ROUTES.find((r) => String(msg._msgid).startsWith(`${r}-`)) ?? 'mqtt';
    const count = (route: Route): void => void this.finished.set(route, (this.finished.get(route) ?? 0) + 1);
    node('done').on('input', (msg: AnyMessage) => count(routeOf(msg)));
    node('err').on('input', (msg: AnyMessage) => {
      const route = routeOf(msg);
      this.errors.get(route)!.push(msg);
      count(route);
    });
    for (const route of ROUTES) {
      this.finished.set(route, 0);
      this.errors.set(route, []);
      for (let port = 0; port < outputs; port++) {
        const seen: AnyMessage[] = [];
        this.outputs.set(`${route}-${port}`, seen);
        node(`out-${route}-${port}`).on('input', (msg: AnyMessage) => {
          if (route === 'function' && typeof msg.realmOfPayload === 'string')
            this.realms.push(msg.realmOfPayload);
          seen.push(msg);
        });
      }
    }
    await waitFor(
      () => (node('mb') as unknown as { connected?: boolean }).connected === true,
      5000,
      'mqtt in connected',
    );
    // The subscription follows the connection; give its SUBACK a moment before the first publish.
    await new Promise((r) => setTimeout(r, 200));
  }

  /** Sends one payload (a JSON value) down every route and waits until each node under test finished with it. */
  async send(payload: unknown, extra: AnyMessage = {}): Promise<void> {
    const text = JSON.stringify(payload);
    const before = new Map(this.finished);
    this.sent++;
    for (const route of ROUTES) {
      const msg = { topic: route, _msgid: `${route}-${this.sent}`, ...extra };
      if (route === 'plain') node('tf-plain').receive({ ...msg, payload: JSON.parse(text) } as never);
      else if (route === 'function')
        node('in-function').receive({ ...msg, payload: JSON.parse(text) } as never);
      else if (route === 'mqtt') await this.publisher!.publishAsync('mqtt', text, { qos: 1 });
      else node(`in-${route}`).receive({ ...msg, payload: text } as never);
    }
    await waitFor(
      () => ROUTES.every((r) => (this.finished.get(r) ?? 0) > (before.get(r) ?? 0)),
      5000,
      `every route finished ${text.slice(0, 80)}`,
    );
  }

  async stop(): Promise<void> {
    await this.publisher?.endAsync(true);
    await this.broker.stop();
  }
}

/**
 * The part of a route's messages that must equal the plain route's: the named fields, as JSON, with the route's
 * name (the twin id) replaced.
 */
export function comparable(messages: AnyMessage[], route: Route, fields: string[]): unknown[] {
  return messages.map((m) => {
    const picked: Record<string, unknown> = {};
    for (const f of fields) picked[f] = m[f];
    const text = JSON.stringify(picked).replaceAll(`"${route}"`, '"TWIN"');
    return JSON.parse(text) as unknown;
  });
}
