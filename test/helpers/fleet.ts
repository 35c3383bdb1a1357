// A fleet of real Node-RED runtimes (child processes, see runtime-worker.mjs) on one mosquitto: owners, a standby
// and a mirror, driven over HTTP endpoints in their flows. Shared by test/interop/fleet.test.ts and bench/fleet.ts.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

// Beside this file, or (bundled into bench/.build by npm run bench:fleet) in test/helpers from the repository root.
const WORKER = existsSync(join(__dirname, 'runtime-worker.mjs'))
  ? join(__dirname, 'runtime-worker.mjs')
  : join(__dirname, '..', '..', 'test', 'helpers', 'runtime-worker.mjs');

export interface Partition {
  name: string;
  twins: number;
}

export const MODEL_PROPERTIES = JSON.stringify([
  { name: 'flow', type: 'number', unit: 'm3/h' },
  { name: 'setpoint', type: 'number', min: 0, max: 1e9, writable: true },
]);

export const prefixOf = (partition: string): string => `fleet/${partition}`;

let serial = 0;
const id = (tag: string): string => `${tag}${(++serial).toString(16).padStart(6, '0')}`;

/** TLS files for the broker node (a tls-config node) and the test's own clients. */
export interface FleetTls {
  ca: string;
  cert: string;
  key: string;
}

/** A broker config node first, then its tls-config node when the broker speaks TLS (client certificate included). */
export function brokerNodes(url: string, tls?: FleetTls): Record<string, unknown>[] {
  const tlsId = tls ? id('tls') : '';
  const broker = {
    id: id('broker'),
    type: 'twin-mqtt-broker',
    name: 'fleet broker',
    url,
    clientId: '',
    protocolVersion: '5',
    tls: tlsId,
    version: 2,
  };
  if (!tls) return [broker];
  return [
    broker,
    { id: tlsId, type: 'tls-config', name: '', verifyservercert: true, servername: '', ...tls },
  ];
}

/**
 * A member (owner or standby) of one partition: a driver (every 100 ms, rate/10 reports round-robin over the
 * partition's twins, only while this member owns the partition) -> twin-state -> twin-fleet, with the fleet node's
 * commands back into twin-state and its role changes into the driver's gate.
 */
export function memberFlow(
  broker: string,
  p: Partition,
  role: 'owner' | 'standby',
  member: string,
): Record<string, unknown>[] {
  const model = id('model');
  const state = id('state');
  const fleet = id('fleet');
  const driver = id('driver');
  const gate = id('gate');
  const tick = id('tick');
  const key = `active_${p.name}`;
  const drive = `
if (!flow.get(${JSON.stringify(key)})) return null;
const rate = global.get('rate') || 0;
let n = context.get('n') || 0;
let carry = (context.get('carry') || 0) + rate / 10;
const count = Math.floor(carry);
context.set('carry', carry - count);
const out = [];
for (let i = 0; i < count; i++, n++) {
  out.push({ topic: ${JSON.stringify(p.name)} + '-' + (n % ${p.twins}), payload: { flow: n } });
}
context.set('n', n);
node.send([out]);
return null;`;
  return [
    {
      id: model,
      type: 'twin-model',
      name: `model ${p.name}`,
      properties: MODEL_PROPERTIES,
      enterprise: '',
      site: '',
      area: '',
      line: '',
      cell: '',
      staleAfter: '',
      store: '',
      version: 1,
    },
    {
      id: tick,
      type: 'inject',
      name: '',
      props: [],
      repeat: '0.1',
      crontab: '',
      once: true,
      onceDelay: 0.1,
      topic: '',
      x: 100,
      y: 100,
      wires: [[driver]],
    },
    {
      id: driver,
      type: 'function',
      name: 'driver',
      func: drive,
      outputs: 1,
      x: 250,
      y: 100,
      wires: [[state]],
    },
    {
      id: state,
      type: 'twin-state',
      name: '',
      model,
      action: 'msg',
      twinId: 'topic',
      twinIdType: 'msg',
      version: 1,
      x: 400,
      y: 100,
      wires: [[fleet], [], []],
    },
    {
      id: fleet,
      type: 'twin-fleet',
      name: '',
      broker,
      model,
      role,
      prefix: prefixOf(p.name),
      member,
      takeBack: false,
      lease: 10,
      // Twin documents at QoS 0 (state: the next one supersedes a lost one); commands are QoS 1 regardless.
      qos: 0,
      version: 1,
      x: 550,
      y: 100,
      wires: [[state], [gate]],
    },
    {
      id: gate,
      type: 'function',
      name: 'gate',
      func: `flow.set(${JSON.stringify(key)}, msg.payload.role === 'owner'); return null;`,
      outputs: 1,
      x: 700,
      y: 100,
      wires: [[]],
    },
  ];
}

/** HTTP endpoints of an instance: POST /rate?rate=N sets the driver rate (reports/s per owned partition). */
export function controlFlow(): Record<string, unknown>[] {
  const http = id('http');
  const set = id('set');
  const resp = id('resp');
  return [
    {
      id: http,
      type: 'http in',
      name: '',
      url: '/rate',
      method: 'post',
      upload: false,
      x: 100,
      y: 300,
      wires: [[set]],
    },
    {
      id: set,
      type: 'function',
      name: 'set rate',
      func: "global.set('rate', Number(msg.req.query.rate) || 0); msg.payload = { rate: global.get('rate') }; return msg;",
      outputs: 1,
      x: 250,
      y: 300,
      wires: [[resp]],
    },
    { id: resp, type: 'http response', name: '', statusCode: '', headers: {}, x: 400, y: 300, wires: [] },
  ];
}

/** The fleet view: every twin under fleet/ in one model; GET /stats answers the mirror's counters (?reset=1 resets lag). */
export function mirrorFlow(broker: string): Record<string, unknown>[] {
  const model = id('model');
  const fleet = id('mirror');
  const http = id('http');
  const ask = id('ask');
  const only = id('only');
  const resp = id('resp');
  return [
    {
      id: model,
      type: 'twin-model',
      name: 'fleet view',
      properties: MODEL_PROPERTIES,
      enterprise: '',
      site: '',
      area: '',
      line: '',
      cell: '',
      staleAfter: '',
      store: '',
      version: 1,
    },
    {
      id: fleet,
      type: 'twin-fleet',
      name: 'mirror',
      broker,
      model,
      role: 'mirror',
      prefix: 'fleet',
      member: '',
      takeBack: false,
      lease: 10,
      qos: 1,
      version: 1,
      x: 400,
      y: 200,
      wires: [[only], []],
    },
    {
      id: http,
      type: 'http in',
      name: '',
      url: '/stats',
      method: 'get',
      upload: false,
      x: 100,
      y: 200,
      wires: [[ask]],
    },
    {
      id: ask,
      type: 'function',
      name: 'stats',
      func: "msg.action = 'stats'; msg.reset = msg.req.query.reset === '1'; return msg;",
      outputs: 1,
      x: 250,
      y: 200,
      wires: [[fleet]],
    },
    {
      id: only,
      type: 'function',
      name: 'answers to HTTP',
      func: 'return msg.res ? msg : null;',
      outputs: 1,
      x: 550,
      y: 200,
      wires: [[resp]],
    },
    { id: resp, type: 'http response', name: '', statusCode: '', headers: {}, x: 700, y: 200, wires: [] },
  ];
}

/** One Node-RED runtime in a child process, which a test can kill -9. */
export class FleetInstance {
  private readonly waiting: ((m: Record<string, unknown>) => void)[] = [];
  url = '';

  private constructor(
    readonly child: ChildProcess,
    readonly label: string,
  ) {
    child.on('message', (m: Record<string, unknown>) => this.waiting.shift()?.(m));
  }

  static async start(label: string): Promise<FleetInstance> {
    const child = fork(WORKER, [JSON.stringify({ editor: false })], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const instance = new FleetInstance(child, label);
    const ready = await new Promise<{ url?: string }>((resolve, reject) => {
      instance.waiting.push(resolve as (m: unknown) => void);
      child.once('exit', (code) => reject(new Error(`${label} exited with ${code} before it was ready`)));
    });
    instance.url = ready.url ?? '';
    return instance;
  }

  deploy(
    flows: Record<string, unknown>[],
  ): Promise<{ deployError?: string; missing: string[]; logs: { msg: string }[] }> {
    return new Promise((resolve) => {
      this.waiting.push(resolve as (m: unknown) => void);
      this.child.send({ cmd: 'deploy', name: this.label, flows, runMs: 200 });
    });
  }

  /** Warnings and errors logged since the last deploy or call. */
  logs(): Promise<{ level: number; msg: string; type?: string }[]> {
    return new Promise((resolve) => {
      this.waiting.push((m) => resolve(m.logs as { level: number; msg: string }[]));
      this.child.send({ cmd: 'logs' });
    });
  }

  /** An HTTP call to the instance's flow, retried: a busy runtime may reset a kept-alive connection. */
  private async call(path: string, method: 'GET' | 'POST'): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await fetch(`${this.url}${path}`, { method, headers: { connection: 'close' } });
        if (!res.ok) throw new Error(`${this.label}: ${path} answered ${res.status}`);
        return await res.json();
      } catch (err) {
        if (attempt >= 5) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  async rate(perSecond: number): Promise<void> {
    await this.call(`/rate?rate=${perSecond}`, 'POST');
  }

  async stats(reset = false): Promise<MirrorStats> {
    return (await this.call(`/stats${reset ? '?reset=1' : ''}`, 'GET')) as MirrorStats;
  }

  /** The process's resident memory, from /proc (Linux). */
  rssBytes(): number {
    const pid = this.child.pid;
    if (pid === undefined) return 0;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const status = (require('node:fs') as typeof import('node:fs')).readFileSync(
      `/proc/${pid}/status`,
      'utf8',
    );
    const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : 0;
  }

  kill9(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    return exited;
  }

  async stop(): Promise<void> {
    if (!this.child.connected || this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ cmd: 'stop' });
    await exited;
  }
}

export interface MirrorStats {
  twins: number;
  received: number;
  perPartition: Record<string, number>;
  regressions: number;
  heapUsed: number;
  lag: { count: number; p50: number; p99: number; max: number };
}
