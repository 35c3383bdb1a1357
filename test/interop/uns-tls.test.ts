import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Node, NodeInitializer } from 'node-red';
import { makeCertificates, type TestCertificates } from '../helpers/certificates';
import { MosquittoBroker } from '../helpers/mosquitto';
import {
  collect,
  finishNodes,
  helper,
  lastStatus,
  loadNode,
  sendAndWait,
  useSettings,
  waitFor,
  type TestFlow,
} from '../helpers/node-red';
import { pumpReport, unsFlow } from '../helpers/uns';
import { withCatalogue } from '../helpers/catalogue';

/**
 * The broker node as production runs it, against Debian's mosquitto: TLS through Node-RED's own tls-config node
 * (a CA and certificates this test makes with openssl), client-certificate authentication, user name and password
 * from the credential store; and MQTT 5's Maximum Packet Size from CONNACK.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tlsNode = require(require.resolve('@node-red/nodes/core/network/05-tls.js')) as NodeInitializer;
const NODES = [
  tlsNode,
  loadNode('twin-mqtt-broker'),
  loadNode('twin-model'),
  withCatalogue(loadNode('twin-uns')),
];
const node = (id: string): Node => helper.getNode(id) as Node;
const statusText = (): string => String(lastStatus(node('u1'))?.text);

function flow(url: string, tls?: Record<string, unknown>, broker: Record<string, unknown> = {}): TestFlow {
  return [
    ...unsFlow(url, 5, { version: 3 }).map((n) =>
      n.id === 'b1'
        ? { ...n, protocolVersion: 'auto', version: 2, tls: tls ? 't1' : '', ...broker }
        : n.id === 'u1'
          ? { ...n, wires: [['out'], ['dead']] }
          : n,
    ),
    // The editor saves every path of a tls-config node, empty when unused.
    ...(tls
      ? [{ id: 't1', type: 'tls-config', verifyservercert: true, cert: '', key: '', ca: '', ...tls }]
      : []),
    { id: 'dead', type: 'helper', z: 'f1' },
    ...finishNodes('u1'),
  ] as TestFlow;
}

const errorOf = (m: Record<string, unknown>): string => String((m.error as { message?: string })?.message);

describe('interop: twin-mqtt-broker with TLS and client certificates (mosquitto)', function () {
  this.timeout(30_000);
  let certs: TestCertificates;
  let broker: MosquittoBroker;
  let userDir: string;
  const clients: MqttClient[] = [];

  before(() => {
    certs = makeCertificates();
    execFileSync('mosquitto_passwd', ['-b', '-c', join(certs.dir, 'passwords'), 'twin', 'secret']);
    chmodSync(join(certs.dir, 'passwords'), 0o644);
  });
  after(() => rmSync(certs.dir, { recursive: true, force: true }));
  beforeEach(async () => {
    userDir = mkdtempSync(join(tmpdir(), 'twinflow-uns-tls-'));
    useSettings({ userDir });
    broker = new MosquittoBroker(
      [
        `cafile ${certs.ca}`,
        `certfile ${certs.serverCert}`,
        `keyfile ${certs.serverKey}`,
        'require_certificate true',
        `password_file ${join(certs.dir, 'passwords')}`,
        'allow_anonymous false',
      ],
      'mqtts',
    );
    await broker.start();
  });
  afterEach(async () => {
    await helper.unload();
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
    useSettings({});
    rmSync(userDir, { recursive: true, force: true });
    await broker.dispose();
  });

  const credentials = { b1: { user: 'twin', password: 'secret' } };
  const fullTls = () => ({ ca: certs.ca, cert: certs.clientCert, key: certs.clientKey });

  it('connects with the CA, a client certificate and the stored password, says MQTT 5, and publishes', async () => {
    const subscriber = await mqtt.connectAsync(broker.url, {
      ca: readFileSync(certs.ca),
      cert: readFileSync(certs.clientCert),
      key: readFileSync(certs.clientKey),
      username: 'twin',
      password: 'secret',
      reconnectPeriod: 0,
    });
    clients.push(subscriber);
    const seen: string[] = [];
    subscriber.on('message', (t) => seen.push(t));
    await subscriber.subscribeAsync('Acme/#', { qos: 1 });
    await helper.load(NODES, flow(broker.url, fullTls()), credentials);
    await waitFor(() => statusText() === 'connected (MQTT 5)', 8000, 'connected over TLS');
    await sendAndWait('u1', pumpReport(1));
    await waitFor(() => seen.includes('Acme/Plant1/L1/Pump01/flow'), 5000, 'the publish over TLS');
  });

  it('a wrong CA: a red status and a Catch error saying the broker certificate is not trusted', async () => {
    await helper.load(NODES, flow(broker.url, { ...fullTls(), ca: certs.otherCa }), credentials);
    const caught = collect(node('caught'));
    await waitFor(() => caught.length >= 1, 8000, 'a Catch message');
    assert.match(errorOf(caught[0]), /TLS: broker certificate not trusted/);
    assert.equal(lastStatus(node('u1'))?.fill, 'red');
  });

  it('no client certificate: a red status and a Catch error saying the broker requires one', async () => {
    await helper.load(NODES, flow(broker.url, { ca: certs.ca }), credentials);
    const caught = collect(node('caught'));
    await waitFor(() => caught.length >= 1, 8000, 'a Catch message');
    assert.match(errorOf(caught[0]), /TLS: client certificate required/);
    assert.equal(lastStatus(node('u1'))?.fill, 'red');
  });

  it('a wrong password from the credential store: a red status and a Catch error naming it', async () => {
    await helper.load(NODES, flow(broker.url, fullTls()), { b1: { user: 'twin', password: 'wrong' } });
    const caught = collect(node('caught'));
    await waitFor(() => caught.length >= 1, 8000, 'a Catch message');
    assert.match(errorOf(caught[0]), /bad user name or password|not authorised/);
    assert.equal(lastStatus(node('u1'))?.fill, 'red');
  });
});

describe('interop: the broker maximum packet size (mosquitto max_packet_size)', function () {
  this.timeout(40_000);
  let broker: MosquittoBroker;
  let userDir: string;
  beforeEach(async () => {
    userDir = mkdtempSync(join(tmpdir(), 'twinflow-uns-size-'));
    useSettings({ userDir });
    broker = new MosquittoBroker(['max_packet_size 2000']);
    await broker.start();
  });
  afterEach(async () => {
    await helper.unload();
    useSettings({});
    rmSync(userDir, { recursive: true, force: true });
    await broker.dispose();
  });

  const big = { topic: 'Pump01', payload: { flow: { value: 1 }, speed: { value: 'y'.repeat(3000) } } };

  it('MQTT 5: the limit from CONNACK refuses an oversize message at Catch before it is queued', async () => {
    await helper.load(NODES, flow(broker.url));
    await waitFor(() => statusText() === 'connected (MQTT 5)', 8000, 'connected');
    const caught = collect(node('caught'));
    await sendAndWait('u1', big);
    assert.match(errorOf(caught[0]), /over the limit of 2000/);
  });

  it('MQTT 3.1.1 (no limit in CONNACK): the broker drops it, it becomes a dead letter, the rest flows', async () => {
    const listener = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    const seen: string[] = [];
    listener.on('message', (t) => seen.push(t));
    await listener.subscribeAsync('Acme/#', { qos: 1 });
    try {
      await helper.load(NODES, flow(broker.url, undefined, { protocolVersion: '4' }));
      await waitFor(() => statusText() === 'connected (MQTT 3.1.1)', 8000, 'connected');
      const dead = collect(node('dead'));
      await sendAndWait('u1', big);
      await sendAndWait('u1', pumpReport(2, { topic: 'Pump02' }));
      await waitFor(() => dead.length === 1, 20_000, 'the dead letter');
      assert.equal(dead[0].topic, 'Acme/Plant1/L1/Pump01/speed');
      await waitFor(() => seen.includes('Acme/Plant1/L1/Pump02/flow'), 8000, 'the rest flows');
    } finally {
      await listener.endAsync(true);
    }
  });
});
