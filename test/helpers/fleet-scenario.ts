// The fleet scenario of issue 22, run by test/interop/fleet.test.ts (asserts) and bench/fleet.ts (reports):
// three owners (10,000 twins each), a standby for the first partition on the second instance, a fourth instance
// mirroring all of them; steady load through mosquitto, then kill -9 of the first owner while QoS 1 commands flow.
import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import { MosquittoBroker } from './mosquitto';
import {
  brokerNodes,
  type FleetTls,
  controlFlow,
  FleetInstance,
  memberFlow,
  mirrorFlow,
  prefixOf,
  type MirrorStats,
  type Partition,
} from './fleet';

export interface FleetOptions {
  twinsPerPartition: number;
  /** Reports per second per owner. */
  ratePerOwner: number;
  steadyMs: number;
  /** QoS 1 commands sent to the first partition around the kill. */
  commands: number;
  log?: (text: string) => void;
  /** mosquitto with TLS and client certificates required (the files a test made): the broker nodes use them. */
  tls?: FleetTls & { serverCert: string; serverKey: string };
}

export interface FleetResult {
  mirroredTwins: number;
  fillMs: number;
  steady: { seconds: number; received: number; perSecond: number; perPartition: Record<string, number> };
  lag: MirrorStats['lag'];
  memory: { heapPerTwinBytes: number; mirrorRssBytes: number };
  takeover: { ownerBirthMs: number; publishingMs: number };
  commands: { sent: number; accepted: number; lost: number; lostDetail: string[] };
  versions: { checked: number; backwards: number; mirrorRegressions: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  what: string,
  ms: number,
  probe: () => Promise<T | undefined> | T | undefined,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(200);
  }
}

interface TwinDoc {
  id: string;
  version: number;
  state: { desired?: Record<string, unknown>; stale?: boolean };
}

export async function runFleet(o: FleetOptions): Promise<FleetResult> {
  const log = o.log ?? (() => undefined);
  const queues = ['max_inflight_messages 1000', 'max_queued_messages 1000000'];
  const broker = o.tls
    ? new MosquittoBroker(
        [
          ...queues,
          `cafile ${o.tls.ca}`,
          `certfile ${o.tls.serverCert}`,
          `keyfile ${o.tls.serverKey}`,
          'require_certificate true',
        ],
        'mqtts',
      )
    : new MosquittoBroker(queues);
  const clientTls = o.tls
    ? { ca: readFileSync(o.tls.ca), cert: readFileSync(o.tls.cert), key: readFileSync(o.tls.key) }
    : {};
  const url = await broker.start();
  const instances: FleetInstance[] = [];
  const clients: MqttClient[] = [];
  try {
    const parts: Partition[] = ['L1', 'L2', 'L3'].map((name) => ({ name, twins: o.twinsPerPartition }));
    const [a, b, c, m] = await Promise.all(
      ['owner-L1', 'owner-L2+standby-L1', 'owner-L3', 'mirror'].map((l) => FleetInstance.start(l)),
    );
    instances.push(a, b, c, m);
    const watcher = mqtt.connect(url, { ...clientTls, protocolVersion: 5, clientId: 'fleet-test-watcher' });
    clients.push(watcher);
    const owners = new Map<string, string>();
    const births: { at: number; partition: string; member: string; role: string }[] = [];
    watcher.on('message', (topic, body) => {
      const [, partition, level, member] = topic.split('/');
      if (level !== '_owner') return;
      const msg = JSON.parse(body.toString()) as { state: string; role?: string };
      births.push({ at: Date.now(), partition, member, role: msg.role ?? msg.state });
      if (msg.state === 'online' && msg.role === 'owner') owners.set(partition, member);
      else if (owners.get(partition) === member) owners.delete(partition);
    });
    await watcher.subscribeAsync('fleet/+/_owner/+', { qos: 1 });

    const deploy = async (instance: FleetInstance, flows: Record<string, unknown>[]) => {
      const result = await instance.deploy(flows);
      if (result.deployError || result.missing.length > 0)
        throw new Error(`${instance.label}: ${result.deployError ?? ''} ${result.missing.join(', ')}`);
    };
    const mirrorBroker = brokerNodes(url, o.tls);
    await deploy(m, [...mirrorBroker, ...mirrorFlow(String(mirrorBroker[0].id))]);
    const heapEmpty = (await m.stats()).heapUsed;
    const member = (instance: FleetInstance, ...flows: [Partition, 'owner' | 'standby', string][]) => {
      const bn = brokerNodes(url, o.tls);
      return deploy(instance, [
        ...bn,
        ...controlFlow(),
        ...flows.flatMap(([p, role, id]) => memberFlow(String(bn[0].id), p, role, id)),
      ]);
    };
    await Promise.all([
      member(a, [parts[0], 'owner', 'a']),
      member(b, [parts[1], 'owner', 'b'], [parts[0], 'standby', 'b-standby']),
      member(c, [parts[2], 'owner', 'c']),
    ]);
    await until('an owner per partition', 30_000, () => (owners.size === 3 ? true : undefined));
    log(`owners: ${[...owners].map(([p, id]) => `${p}=${id}`).join(' ')}`);

    const fillStart = Date.now();
    await Promise.all([a, b, c].map((i) => i.rate(o.ratePerOwner)));
    const total = 3 * o.twinsPerPartition;
    await until(`the mirror to hold ${total} twins`, 120_000, async () => {
      const s = await m.stats();
      return s.twins >= total ? s : undefined;
    });
    const fillMs = Date.now() - fillStart;
    log(`mirror holds ${total} twins after ${fillMs} ms`);

    // Steady state: lag percentiles from a fresh histogram.
    await sleep(2000);
    const s0 = await m.stats(true);
    const t0 = Date.now();
    await sleep(o.steadyMs);
    const s1 = await m.stats();
    const seconds = (Date.now() - t0) / 1000;
    const perPartition = Object.fromEntries(
      Object.entries(s1.perPartition).map(([p, n]) => [p, (n - (s0.perPartition[p] ?? 0)) / seconds]),
    );
    const steady = {
      seconds,
      received: s1.received - s0.received,
      perSecond: (s1.received - s0.received) / seconds,
      perPartition,
    };
    log(
      `steady: ${steady.perSecond.toFixed(0)} updates/s at the mirror, lag p50 ${s1.lag.p50} ms p99 ${s1.lag.p99} ms`,
    );
    const memory = { heapPerTwinBytes: (s1.heapUsed - heapEmpty) / total, mirrorRssBytes: m.rssBytes() };

    // Take-over: QoS 1 commands to L1 before, during and after kill -9 of its owner.
    const commander = mqtt.connect(url, {
      ...clientTls,
      protocolVersion: 5,
      clientId: 'fleet-test-commander',
    });
    clients.push(commander);
    await new Promise((r) => commander.once('connect', r));
    const p1 = prefixOf('L1');
    const before = new Map<string, number>();
    const backwards: string[] = [];
    let checked = 0;
    let firstLive: number | undefined;
    const twinWatch = mqtt.connect(url, { ...clientTls, protocolVersion: 5, clientId: 'fleet-test-twins' });
    clients.push(twinWatch);
    await new Promise((r) => twinWatch.once('connect', r));
    let killedAt = 0;
    twinWatch.on('message', (_topic, body, packet) => {
      const doc = JSON.parse(body.toString()) as TwinDoc;
      if (packet.retain) {
        before.set(doc.id, doc.version);
        return;
      }
      if (killedAt === 0 || owners.get('L1') !== 'b-standby') return;
      firstLive ??= Date.now();
      checked++;
      const was = before.get(doc.id);
      if (was !== undefined && doc.version <= was) backwards.push(`${doc.id}: ${was} -> ${doc.version}`);
      before.set(doc.id, doc.version);
    });
    const accepted: { twin: string; value: number }[] = [];
    let sent = 0;
    const sending = (async () => {
      for (let k = 0; k < o.commands; k++) {
        const twin = `L1-${(k * 7) % o.twinsPerPartition}`;
        const value = 100_000 + k;
        sent++;
        try {
          await commander.publishAsync(`${p1}/${twin}/setpoint/set`, JSON.stringify({ value }), { qos: 1 });
          accepted.push({ twin, value });
        } catch {
          // not accepted by the broker: not counted
        }
        await sleep(5);
      }
    })();
    await sleep(1000);
    await a.kill9();
    killedAt = Date.now();
    await twinWatch.subscribeAsync(`${p1}/+/_twin`, { qos: 1 });
    log('owner of L1 killed (SIGKILL)');
    const birth = await until('the standby to own L1', 30_000, () =>
      births.find(
        (x) => x.at >= killedAt && x.partition === 'L1' && x.member === 'b-standby' && x.role === 'owner',
      ),
    );
    await until('the standby to publish L1', 30_000, () => firstLive);
    const takeover = { ownerBirthMs: birth.at - killedAt, publishingMs: (firstLive ?? 0) - killedAt };
    log(`standby owns L1 after ${takeover.ownerBirthMs} ms, publishes after ${takeover.publishingMs} ms`);
    await sending;
    await sleep(3000);

    // Every command the broker accepted must show in L1's retained twins as desired (last value per twin wins).
    const last = new Map<string, number>();
    for (const cmd of accepted) last.set(cmd.twin, cmd.value);
    const final = new Map<string, TwinDoc>();
    const reader = mqtt.connect(url, { ...clientTls, protocolVersion: 5, clientId: 'fleet-test-reader' });
    clients.push(reader);
    reader.on('message', (_t, body) => {
      const doc = JSON.parse(body.toString()) as TwinDoc;
      final.set(doc.id, doc);
    });
    await new Promise((r) => reader.once('connect', r));
    await reader.subscribeAsync(`${p1}/+/_twin`, { qos: 1 });
    await until('the retained L1 twins', 30_000, () =>
      final.size >= o.twinsPerPartition ? true : undefined,
    );
    const lostDetail: string[] = [];
    for (const [twin, value] of last) {
      const got = final.get(twin)?.state.desired?.setpoint;
      if (got !== value) lostDetail.push(`${twin}: sent ${value}, desired ${String(got)}`);
    }
    const end = await m.stats();
    return {
      mirroredTwins: end.twins,
      fillMs,
      steady,
      lag: s1.lag,
      memory,
      takeover,
      commands: {
        sent,
        accepted: accepted.length,
        lost: lostDetail.length,
        lostDetail: lostDetail.slice(0, 10),
      },
      versions: { checked, backwards: backwards.length, mirrorRegressions: end.regressions },
    };
  } finally {
    for (const client of clients) await client.endAsync(true).catch(() => undefined);
    await Promise.all(instances.map((i) => i.stop().catch(() => undefined)));
    await broker.dispose();
  }
}
