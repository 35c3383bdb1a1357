import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node } from 'node-red';
import {
  AttributeIds,
  BrowseDirection,
  DataType,
  makeBrowsePath,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  UserTokenType,
  type ClientSession,
} from 'node-opcua';
import { collect, helper, loadNode, useSettings, waitFor, type TestFlow } from '../helpers/node-red';
import type { TwinModelNode } from '../../src/runtime/model/model-node';

const serverNode = loadNode('twin-opcua-server');
const modelNode = loadNode('twin-model');
const stateNode = loadNode('twin-state');
const NS = 'urn:twinflow:test:twins';

const PROPERTIES = [
  {
    name: 'speed',
    type: 'number',
    unit: 'rpm',
    min: 0,
    max: 3000,
    writable: true,
    description: 'shaft speed',
  },
  { name: 'temperature', type: 'number', unit: 'degC', min: 0, max: 200 },
  { name: 'running', type: 'boolean' },
  { name: 'count', type: 'integer', min: 0 },
  { name: 'mode', type: 'enum', values: ['auto', 'manual'], writable: true },
  { name: 'label', type: 'string' },
];

function flow(): TestFlow {
  return [
    { id: 'f1', type: 'tab' },
    {
      id: 'model',
      type: 'twin-model',
      name: 'Pump',
      properties: JSON.stringify(PROPERTIES),
      enterprise: 'Acme',
      site: 'Plant1',
      area: 'Utilities',
      line: 'PumpStation',
      cell: '',
      staleAfter: '0',
      version: 1,
    },
    {
      id: 'srv',
      type: 'twin-opcua-server',
      z: 'f1',
      port: 0,
      host: '127.0.0.1',
      resourcePath: '/UA/Twins',
      namespace: NS,
      model: 'model',
      securityModes: 'SignAndEncrypt',
      securityPolicies: 'Basic256Sha256',
      allowAnonymous: false,
      writers: 'operator',
      version: 2,
      wires: [['state', 'desires']],
    },
    {
      id: 'state',
      type: 'twin-state',
      z: 'f1',
      model: 'model',
      action: 'msg',
      twinId: 'topic',
      twinIdType: 'msg',
      version: 1,
      wires: [[], [], []],
    },
    { id: 'desires', type: 'helper', z: 'f1' },
  ] as TestFlow;
}

describe('integration: twin-opcua-server secured, typed from the model, writes checked', function () {
  this.timeout(120_000);
  let userDir: string;
  let clientPki: string;
  let url: string;
  const clients: OPCUAClient[] = [];

  before(async () => {
    userDir = mkdtempSync(join(tmpdir(), 'twinflow-opcua-srv-'));
    clientPki = join(userDir, 'client-pki');
    useSettings({ userDir });
    await helper.load([modelNode, stateNode, serverNode], flow(), {
      srv: { users: 'operator:secret\nviewer:look' },
    });
    const srv = helper.getNode('srv') as Node;
    await waitFor(
      () =>
        /listening/.test(
          String(
            (srv.status as unknown as { lastCall?: { args: [{ text: string }] } }).lastCall?.args[0].text,
          ),
        ),
      30_000,
      'the server',
    );
    srv.receive({
      topic: 'Pump01',
      payload: { speed: 1200, temperature: 61.5, running: true, count: 7, mode: 'auto', label: 'P1' },
    } as never);
    const port = (await waitForPort(srv)) as number;
    url = `opc.tcp://127.0.0.1:${port}/UA/Twins`;
  });
  after(async () => {
    for (const c of clients) await c.disconnect().catch(() => undefined);
    await helper.unload();
    useSettings({});
    rmSync(userDir, { recursive: true, force: true });
  });

  /** The server's port, from the log line it writes when listening. */
  async function waitForPort(srv: Node): Promise<number> {
    const spy = (helper as unknown as { log(): { args: [{ msg: unknown; id?: string }][] } }).log();
    let port = 0;
    await waitFor(
      () => {
        const line = spy.args
          .map((a) => String(a[0].msg))
          .find((m) => /listening on opc\.tcp:\/\/127\.0\.0\.1:(\d+)/.test(m));
        port = Number(/:(\d+)\//.exec(line ?? '')?.[1] ?? 0);
        return port > 0;
      },
      10_000,
      `the listening line of ${srv.id}`,
    );
    return port;
  }

  async function connect(
    mode: MessageSecurityMode,
    policy: SecurityPolicy,
    user?: [string, string],
  ): Promise<ClientSession> {
    const client = OPCUAClient.create({
      endpointMustExist: false,
      securityMode: mode,
      securityPolicy: policy,
      connectionStrategy: { maxRetry: 0 },
      clientCertificateManager: new OPCUACertificateManager({
        rootFolder: clientPki,
        automaticallyAcceptUnknownCertificate: true,
      }),
    });
    clients.push(client);
    await client.connect(url);
    return client.createSession(
      user ? { type: UserTokenType.UserName, userName: user[0], password: user[1] } : undefined,
    );
  }

  /** The server refuses an unknown client certificate; the user trusts it by moving it (rejected -> trusted/certs). */
  async function secureSession(user: [string, string]): Promise<ClientSession> {
    try {
      return await connect(MessageSecurityMode.SignAndEncrypt, SecurityPolicy.Basic256Sha256, user);
    } catch {
      const pki = join(userDir, 'twinflow-opcua-server-pki', 'server');
      mkdirSync(join(pki, 'trusted', 'certs'), { recursive: true });
      if (existsSync(join(pki, 'rejected')))
        for (const f of readdirSync(join(pki, 'rejected')))
          renameSync(join(pki, 'rejected', f), join(pki, 'trusted', 'certs', f));
      // The server's certificate store notices the moved file within a moment.
      for (let attempt = 0; ; attempt++) {
        try {
          return await connect(MessageSecurityMode.SignAndEncrypt, SecurityPolicy.Basic256Sha256, user);
        } catch (err) {
          if (attempt >= 40) throw err;
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    }
  }

  it('a client with Basic256Sha256 SignAndEncrypt and a user connects and browses types, units and ranges', async () => {
    const session = await secureSession(['operator', 'secret']);
    const ns = (await session.readNamespaceArray()).indexOf(NS);
    const id = (p: string) => `ns=${ns};s=Pump01.${p}`;
    const types = await session.read(
      ['speed', 'running', 'count', 'mode', 'label'].map((p) => ({
        nodeId: id(p),
        attributeId: AttributeIds.DataType,
      })),
    );
    assert.deepEqual(
      types.map((t) => (t.value.value as { value: number }).value),
      [DataType.Double, DataType.Boolean, DataType.UInt32, DataType.UInt32, DataType.String],
    );
    const [speed, mode] = await session.read([{ nodeId: id('speed') }, { nodeId: id('mode') }]);
    assert.deepEqual([speed.value.value, mode.value.value], [1200, 0]);
    const path = (p: string) =>
      makeBrowsePath(
        'RootFolder',
        `/Objects/${ns}:Acme/${ns}:Plant1/${ns}:Utilities/${ns}:PumpStation/${ns}:Pump01/${ns}:${p}`,
      );
    const [eu, range, enumStrings, temperatureEu] = await session.translateBrowsePath([
      path('speed.EngineeringUnits'),
      path('speed.EURange'),
      path('mode.EnumStrings'),
      path('temperature.EngineeringUnits'),
    ]);
    const values = await session.read(
      [eu, range, enumStrings, temperatureEu].map((r) => ({ nodeId: r.targets![0].targetId })),
    );
    assert.equal(
      (values[0].value.value as { unitId: number }).unitId,
      0x52504d,
      'RPM, the UNECE code for rpm',
    );
    assert.deepEqual(
      [(values[1].value.value as { low: number }).low, (values[1].value.value as { high: number }).high],
      [0, 3000],
    );
    assert.deepEqual(
      (values[2].value.value as { text: string }[]).map((t) => t.text),
      ['auto', 'manual'],
    );
    assert.equal((values[3].value.value as { unitId: number }).unitId, 4408652, 'CEL');
    const [description] = await session.read([
      { nodeId: id('speed'), attributeId: AttributeIds.Description },
    ]);
    assert.equal((description.value.value as { text: string }).text, 'shaft speed');
    const folders = await session.browse({
      nodeId: 'ObjectsFolder',
      browseDirection: BrowseDirection.Forward,
      resultMask: 0x3f,
    });
    assert.ok(
      folders.references?.some((r) => r.browseName.name === 'Acme'),
      'the ISA-95 place as folders',
    );
  });

  it('refuses anonymous users and security None when they are switched off', async () => {
    await assert.rejects(connect(MessageSecurityMode.None, SecurityPolicy.None), 'no None endpoint');
    await assert.rejects(
      connect(MessageSecurityMode.SignAndEncrypt, SecurityPolicy.Basic256Sha256),
      'no anonymous session',
    );
  });

  it('answers each invalid write with its Bad code and leaves the twin unchanged; a valid one is Good once twin-state has it', async () => {
    const desires = collect(helper.getNode('desires') as Node);
    const operator = await secureSession(['operator', 'secret']);
    const viewer = await secureSession(['viewer', 'look']);
    const ns = (await operator.readNamespaceArray()).indexOf(NS);
    const write = (s: ClientSession, p: string, dataType: DataType, value: unknown) =>
      s.write({
        nodeId: `ns=${ns};s=Pump01.${p}`,
        attributeId: AttributeIds.Value,
        value: { value: { dataType, value } },
      });
    assert.equal((await write(operator, 'speed', DataType.String, 'fast')).name, 'BadTypeMismatch');
    assert.equal((await write(operator, 'speed', DataType.Double, 5000)).name, 'BadOutOfRange');
    assert.equal((await write(operator, 'temperature', DataType.Double, 50)).name, 'BadNotWritable');
    assert.equal((await write(operator, 'mode', DataType.UInt32, 7)).name, 'BadOutOfRange');
    assert.equal((await write(viewer, 'speed', DataType.Double, 100)).name, 'BadUserAccessDenied');
    const store = (helper.getNode('model') as unknown as TwinModelNode).store!;
    assert.equal(desires.length, 0, 'no desire left the node');
    assert.equal(store.get('Pump01')?.desired.speed, undefined, 'the twin is unchanged');
    assert.equal((await write(operator, 'speed', DataType.Double, 1500)).name, 'Good');
    assert.equal(store.get('Pump01')?.desired.speed.value, 1500);
    assert.equal((await write(operator, 'mode', DataType.UInt32, 1)).name, 'Good');
    assert.equal(store.get('Pump01')?.desired.mode.value, 'manual');
    assert.equal(desires.length, 2);
  });
});
