import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node } from 'node-red';
import { collect, helper, loadNode, useSettings, waitFor, type TestFlow } from '../helpers/node-red';
import { withCatalogue } from '../helpers/catalogue';
import { PLANT_NAMESPACE, PlantServer } from '../helpers/opcua-server';

const endpointNode = loadNode('twin-opcua-endpoint');
const mapNode = withCatalogue(loadNode('twin-opcua-map'));

const MAPPING = JSON.stringify({
  namespace: PLANT_NAMESPACE,
  properties: [{ property: 'speed', browsePath: 'Speed', samplingInterval: 100, unit: 'rpm' }],
  instances: [{ twin: 'Pump01', root: 'Pump01' }],
});

function flow(url: string, securityMode: string, securityPolicy: string): TestFlow {
  return [
    { id: 'f1', type: 'tab' },
    { id: 'e1', type: 'twin-opcua-endpoint', url, securityMode, securityPolicy, version: 1 },
    {
      id: 'm1',
      type: 'twin-opcua-map',
      z: 'f1',
      endpoint: 'e1',
      mapping: MAPPING,
      version: 1,
      wires: [['values'], []],
    },
    { id: 'values', type: 'helper', z: 'f1' },
  ] as TestFlow;
}

type Status = { fill?: string; text?: string };

function statuses(id: string): Status[] {
  const seen: Status[] = [];
  (helper.getNode(id) as unknown as NodeJS.EventEmitter).on('call:status', (c: { args: [Status] }) =>
    seen.push(c.args[0]),
  );
  return seen;
}

const goodSpeed = (values: { payload?: unknown }[]): boolean =>
  values.some((m) => {
    const speed = (m.payload as Record<string, { quality?: string; value?: unknown }>)?.speed;
    return speed?.quality === 'good' && speed.value === 1000;
  });

/**
 * Secured endpoints against a real node-opcua server that offers only Sign and SignAndEncrypt and refuses anonymous
 * users: the server's certificate is rejected until the user trusts it (moves it from rejected/ to trusted/certs/ in
 * the PKI folder of the Node-RED user dir, as the endpoint's help says); user name and password come from Node-RED's
 * credential store.
 */
describe('integration: secured OPC UA endpoints (Sign, SignAndEncrypt, user name and password)', function () {
  this.timeout(90_000);
  let server: PlantServer;
  let userDir: string;
  const pki = (): string => join(userDir, 'twinflow-opcua-pki');

  before(async () => {
    server = new PlantServer(1, { secure: true, users: { operator: 'pump-secret' } });
    await server.start();
  });
  after(async () => {
    await server.dispose();
  });
  beforeEach(() => {
    userDir = mkdtempSync(join(tmpdir(), 'twinflow-opcua-secure-'));
    useSettings({ userDir });
  });
  afterEach(async () => {
    await helper.unload();
    useSettings({});
    rmSync(userDir, { recursive: true, force: true });
  });

  /** Moves every rejected server certificate into trusted/certs: what the user does after checking the thumbprint. */
  const trustRejected = (): number => {
    const rejected = join(pki(), 'rejected');
    const trusted = join(pki(), 'trusted', 'certs');
    mkdirSync(trusted, { recursive: true });
    const files = existsSync(rejected) ? readdirSync(rejected) : [];
    for (const f of files) renameSync(join(rejected, f), join(trusted, f));
    return files.length;
  };

  for (const [mode, policy] of [
    ['SignAndEncrypt', 'Basic256Sha256'],
    ['Sign', 'Aes128_Sha256_RsaOaep'],
    ['SignAndEncrypt', 'Aes256_Sha256_RsaPss'],
  ] as const) {
    it(`${mode} with ${policy}: rejects the unknown server certificate, connects once it is trusted`, async () => {
      await helper.load([endpointNode, mapNode], flow(server.url, mode, policy), {
        e1: { user: 'operator', password: 'pump-secret' },
      });
      const seen = statuses('m1');
      const values = collect(helper.getNode('values') as Node);
      await waitFor(
        () => seen.some((s) => s.fill === 'red'),
        20_000,
        'a red status for the untrusted server',
      );
      assert.equal(goodSpeed(values), false, 'no value from an untrusted server');
      const red = seen.find((s) => s.fill === 'red');
      assert.match(
        String(red?.text),
        /untrusted server certificate/i,
        `the status says why: ${JSON.stringify(seen)}`,
      );
      assert.ok(trustRejected() > 0, 'the server certificate was put in rejected/');
      assert.equal(goodSpeed(values), false, 'still no value before the certificate is trusted');
      // The endpoint retries with backoff and picks the trusted certificate up without a redeploy.
      await waitFor(() => goodSpeed(values), 30_000, 'values over the secured channel');
    });
  }

  it('refuses a wrong password with a clear status, and no values', async () => {
    // Trust the server first (a previous run's certificate is not there: a fresh user dir).
    await helper.load([endpointNode, mapNode], flow(server.url, 'SignAndEncrypt', 'Basic256Sha256'), {
      e1: { user: 'operator', password: 'wrong' },
    });
    const seen = statuses('m1');
    const values = collect(helper.getNode('values') as Node);
    await waitFor(() => trustRejected() > 0, 20_000, 'the server certificate in rejected/');
    await waitFor(
      () =>
        seen.some(
          (s) =>
            s.fill === 'red' &&
            /denied|user|identity|Bad/i.test(s.text ?? '') &&
            !/certificate/i.test(s.text ?? ''),
        ),
      30_000,
      'a red status for the refused user',
    );
    assert.equal(goodSpeed(values), false);
  });
});
