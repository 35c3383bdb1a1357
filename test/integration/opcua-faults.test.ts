import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { collect, helper, lastStatus, waitFor, type AnyMessage, type TestFlow } from '../helpers/node-red';
import { PLANT_NAMESPACE, PlantServer } from '../helpers/opcua-server';
import { endpointNode, flowNode as node, mapNode, plantSuite } from '../helpers/opcua-suite';

const MAPPING = JSON.stringify({
  namespace: PLANT_NAMESPACE,
  properties: [{ property: 'speed', browsePath: 'Speed', samplingInterval: 100 }],
  instances: [{ twin: 'Pump01', root: 'Pump01' }],
});

/** Two map nodes on one endpoint, both watched by one Catch node. */
function flow(url: string, endpoint: object = {}): TestFlow {
  const map = (id: string) => ({
    id,
    type: 'twin-opcua-map',
    z: 'f1',
    endpoint: 'e1',
    mapping: MAPPING,
    version: 2,
    wires: [['values'], []],
  });
  return [
    { id: 'f1', type: 'tab' },
    {
      id: 'e1',
      type: 'twin-opcua-endpoint',
      url,
      securityMode: 'None',
      securityPolicy: 'None',
      version: 2,
      ...endpoint,
    },
    map('m1'),
    map('m2'),
    { id: 'values', type: 'helper', z: 'f1' },
    { id: 'c1', type: 'catch', z: 'f1', scope: ['m1', 'm2'], uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'f1' },
  ] as TestFlow;
}

/** Log lines at warn level or worse from the test helper's log spy. */
function warnings(): string[] {
  const spy = (helper as unknown as { log(): { args: [{ level: number; msg: unknown }][] } }).log();
  return spy.args
    .map((a) => a[0])
    .filter((e) => e.level <= 30)
    .map((e) => String(e.msg));
}

/** Waits (polling) until both map nodes have reported at Catch; returns the caught messages. */
async function caughtFromBoth(caught: AnyMessage[], ms: number, what: string): Promise<void> {
  await waitFor(
    () =>
      ['m1', 'm2'].every((id) =>
        caught.some((m) => (m.error as { source?: { id?: string } })?.source?.id === id),
      ),
    ms,
    what,
  );
}

const errorText = (m: AnyMessage): string => String((m.error as { message?: string }).message);

describe('integration: OPC UA connection errors reach Catch, the log and the status', function () {
  this.timeout(60_000);
  const plant = plantSuite(() => new PlantServer(1), 'twinflow-opcua-faults-');

  it('wrong port: each node using the endpoint reports once at Catch, one log line, red status naming the cause', async () => {
    const url = 'opc.tcp://127.0.0.1:1/UA/Nothing';
    await helper.load([endpointNode, mapNode], flow(url));
    const caught = collect(node('caught'));
    await caughtFromBoth(caught, 5000, 'a Catch message from both map nodes within 5 s');
    assert.match(errorText(caught[0]), /127\.0\.0\.1:1\/UA\/Nothing: connection refused/);
    assert.match(String(lastStatus(node('m1'))?.text), /127\.0\.0\.1:1 disconnected: connection refused/);
    assert.equal(lastStatus(node('m1'))?.fill, 'red');
    // Let it retry a few times (fast retries every 250 ms): still one error per node and one log line.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(caught.length, 2, 'once per episode, not once per retry');
    const lines = warnings().filter((w) => w.includes(url));
    assert.deepEqual(lines, [`${url}: disconnected: connection refused`]);
  });

  it('a listener that never answers: Catch after the connect timeout (default 5 s) within 6 s', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      await helper.load([endpointNode, mapNode], flow(`opc.tcp://127.0.0.1:${port}/UA/Silent`));
      const caught = collect(node('caught'));
      await caughtFromBoth(caught, 6000, 'a Catch message within 6 s');
      assert.match(errorText(caught[0]), /no answer within 5 s/);
      assert.ok(warnings().some((w) => w.includes(`${port}/UA/Silent: disconnected: no answer within 5 s`)));
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it('a wrong endpoint path on the right port is an error, not a silent connection', async () => {
    await helper.load(
      [endpointNode, mapNode],
      flow(plant.server.url.replace('/UA/TwinFlowTest', '/UA/Wrong')),
    );
    const caught = collect(node('caught'));
    await caughtFromBoth(caught, 5000, 'a Catch message');
    assert.match(
      errorText(caught[0]),
      /no endpoint at path \/UA\/Wrong \(the server offers \/UA\/TwinFlowTest\)/,
    );
    assert.ok(warnings().some((w) => /UA\/Wrong: disconnected: no endpoint at path/.test(w)));
  });

  it('a security mode and policy the server does not offer is named', async () => {
    await helper.load(
      [endpointNode, mapNode],
      flow(plant.server.url, { securityMode: 'SignAndEncrypt', securityPolicy: 'Basic256Sha256' }),
    );
    const caught = collect(node('caught'));
    await caughtFromBoth(caught, 5000, 'a Catch message');
    assert.match(
      errorText(caught[0]),
      /SignAndEncrypt\/Basic256Sha256 not offered \(the server offers None\/None\)/,
    );
  });

  it('a server that goes away: bad values once, red "disconnected" after the first failed retry, one log line per change', async () => {
    const volatile = new PlantServer(1);
    await volatile.start();
    const port = volatile.port;
    try {
      await helper.load([endpointNode, mapNode], flow(volatile.url));
      const values = collect(node('values'));
      const caught = collect(node('caught'));
      await waitFor(() => values.length >= 2, 10_000, 'values from both nodes');
      await volatile.stop();
      await waitFor(() => lastStatus(node('m1'))?.fill === 'red', 5000, 'a red status');
      assert.match(String(lastStatus(node('m1'))?.text), /disconnected: connection refused/);
      await caughtFromBoth(caught, 5000, 'a Catch message from both');
      await new Promise((r) => setTimeout(r, 1500)); // several fast retries
      const bad = values.filter((m) => (m.payload as { speed: { quality: string } }).speed.quality === 'bad');
      assert.equal(bad.length, 2, 'one bad value per node for the whole outage, not one per retry');
      assert.equal(caught.length, 2);
      const lines = warnings().filter((w) => w.includes(`:${port}/`));
      assert.deepEqual(
        lines.map((l) => l.replace(/^.*?: /, '')),
        ['connection lost, reconnecting', 'disconnected: connection refused'],
      );
      await volatile.start(port);
      await waitFor(() => lastStatus(node('m1'))?.fill === 'green', 15_000, 'connected again');
      assert.match(String(lastStatus(node('m1'))?.text), new RegExp(`127\\.0\\.0\\.1:${port} 1 items`));
    } finally {
      await helper.unload();
      await volatile.dispose();
    }
  });
});

describe('integration: OPC UA refusals of a secured server reach Catch', function () {
  this.timeout(60_000);
  const suite = plantSuite(
    () => new PlantServer(1, { secure: true, users: { operator: 'pump-secret' } }),
    'twinflow-opcua-faults-',
  );

  const secured = { securityMode: 'SignAndEncrypt', securityPolicy: 'Basic256Sha256' };

  it('an untrusted server certificate', async () => {
    await helper.load([endpointNode, mapNode], flow(suite.server.url, secured), {
      e1: { user: 'operator', password: 'pump-secret' },
    });
    const caught = collect(node('caught'));
    await caughtFromBoth(caught, 5000, 'a Catch message');
    assert.match(errorText(caught[0]), /untrusted server certificate.*rejected.*trusted\/certs/);
    assert.ok(warnings().some((w) => /disconnected: untrusted server certificate/.test(w)));
  });

  it('anonymous where the server wants a user, and a wrong password', async () => {
    await helper.load([endpointNode, mapNode], flow(suite.server.url, secured));
    let caught = collect(node('caught'));
    await caughtFromBoth(caught, 5000, 'a Catch message');
    // The certificate is refused first (a fresh PKI); what matters is that it is said, then the user problem.
    await helper.unload();
    // A trusted server (the certificate moved by the user) and a wrong password.
    const { existsSync, mkdirSync, readdirSync, renameSync } = await import('node:fs');
    const pki = join(suite.userDir, 'twinflow-opcua-pki');
    mkdirSync(join(pki, 'trusted', 'certs'), { recursive: true });
    if (existsSync(join(pki, 'rejected')))
      for (const f of readdirSync(join(pki, 'rejected')))
        renameSync(join(pki, 'rejected', f), join(pki, 'trusted', 'certs', f));
    await helper.load([endpointNode, mapNode], flow(suite.server.url, secured), {
      e1: { user: 'operator', password: 'wrong' },
    });
    caught = collect(node('caught'));
    await caughtFromBoth(caught, 5000, 'a Catch message for the password');
    assert.match(errorText(caught[0]), /user name or password refused \(Bad\w+\)/);
    assert.ok(warnings().some((w) => /disconnected: user name or password refused/.test(w)));
    await helper.unload();
    await helper.load([endpointNode, mapNode], flow(suite.server.url, secured));
    caught = collect(node('caught'));
    await caughtFromBoth(caught, 5000, 'a Catch message for anonymous');
    assert.match(errorText(caught[0]), /refuses anonymous users/);
  });
});
