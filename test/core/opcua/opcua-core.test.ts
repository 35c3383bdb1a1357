import assert from 'node:assert/strict';
import { connectCause } from '../../../src/core/opcua/connect-error';
import { endpointProblem, type OfferedEndpoint } from '../../../src/core/opcua/endpoints';
import {
  defineMapping,
  expandMapping,
  qualityOf,
  toEngineering,
  toRaw,
} from '../../../src/core/opcua/mapping';
import { coerceForWrite } from '../../../src/core/opcua/coerce';
import { canonicalNodeId } from '../../../src/core/opcua/nodeid';
import { ItemRetries, itemRetryDelay, reconnectDelay } from '../../../src/core/opcua/retry';
import { endpointLabel, itemSummary } from '../../../src/core/opcua/status-text';
import {
  checkWrite,
  engineeringUnit,
  euRange,
  placeFolders,
  twinValueOf,
  variableType,
} from '../../../src/core/opcua/server-model';
import { mappingFromCsv, mappingToCsv } from '../../../src/core/opcua/csv';

describe('core/opcua', () => {
  describe('retry timing', () => {
    it('retries a lost connection fast at first, then doubles up to the cap', () => {
      assert.equal(reconnectDelay(0), 250);
      assert.equal(reconnectDelay(59), 250);
      assert.deepEqual(
        [60, 61, 62, 63, 64, 70].map((a) => reconnectDelay(a, 10_000)),
        [1000, 2000, 4000, 8000, 10_000, 10_000],
      );
      assert.equal(reconnectDelay(1000, 30_000), 30_000);
    });
    it('retries a bad item after 1 s, doubling to 60 s', () => {
      assert.deepEqual([0, 1, 2, 5, 6, 100].map(itemRetryDelay), [1000, 2000, 4000, 32_000, 60_000, 60_000]);
    });
    it('keeps bad items with their own schedules; the first failure is the one to report', () => {
      const r = new ItemRetries();
      assert.equal(r.fail('P1.a', 'BadNodeIdUnknown', 0), true);
      assert.equal(r.fail('P2.b', 'BadNoMatch', 500), true);
      assert.deepEqual(r.due(999), []);
      assert.equal(r.nextIn(0), 1000);
      assert.deepEqual(r.due(1000), ['P1.a']);
      assert.equal(
        r.fail('P1.a', 'BadNodeIdUnknown', 1000),
        false,
        'a repeated failure is not reported again',
      );
      assert.deepEqual(r.get('P1.a'), { status: 'BadNodeIdUnknown', attempts: 2, dueAt: 3000 });
      r.succeed('P2.b');
      assert.equal(r.size, 1);
      r.clear();
      assert.equal(r.nextIn(0), undefined);
    });
  });

  describe('status texts', () => {
    it('names host:port, shortening long DNS names to the machine', () => {
      assert.equal(endpointLabel('opc.tcp://127.0.0.1:4840/UA/TwinFlow'), '127.0.0.1:4840');
      assert.equal(endpointLabel('opc.tcp://plc-line-3.plant.example.com:4840/'), 'plc-line-3:4840');
      assert.equal(endpointLabel('opc.tcp://plc:48010'), 'plc:48010');
      assert.equal(endpointLabel('opc.tcp://[::1]:4840/x'), '[::1]:4840');
      assert.equal(endpointLabel('opc.tcp://plc'), 'plc:4840');
    });
    it('summarises items and bad ones', () => {
      assert.equal(itemSummary(5000, 2), '4,998/5,000 items, 2 bad');
      assert.equal(itemSummary(12, 0), '12 items');
    });
  });

  describe('connection causes', () => {
    const wrapped = (inner: string) =>
      `The connection cannot be established with server opc.tcp://h:1 .\nPlease check ...\nErr = (${inner})`;
    it("finds the cause inside node-opcua's wrapping", () => {
      assert.equal(connectCause(wrapped('connect ECONNREFUSED 127.0.0.1:1'), 5), 'connection refused');
      assert.equal(connectCause('getaddrinfo ENOTFOUND plc', 5), 'host not found');
      assert.equal(connectCause('timeout', 5), 'no answer within 5 s');
      assert.equal(
        connectCause('The connection has been rejected by server: BadSecurityChecksFailed (0x80130000)', 5),
        'the server refused our certificate (BadSecurityChecksFailed): trust it on the server',
      );
      assert.match(
        connectCause('certificate verification failed', 5, '/u/pki'),
        /move it from \/u\/pki\/rejected to \/u\/pki\/trusted\/certs/,
      );
      assert.equal(
        connectCause('BadIdentityTokenRejected (0x80210000)', 5),
        'user name or password refused (BadIdentityTokenRejected)',
      );
      assert.equal(connectCause('something BadTooManySessions', 5), 'BadTooManySessions');
      assert.equal(connectCause(' name..................... Client\n', 5), 'connection failed');
      assert.equal(connectCause('odd', 5), 'odd');
    });
  });

  describe('endpoint check', () => {
    const offered: OfferedEndpoint[] = [
      {
        endpointUrl: 'opc.tcp://localhost:4840/UA/Plant',
        securityMode: 'None',
        securityPolicy: 'None',
        userTokens: ['Anonymous'],
      },
      {
        endpointUrl: 'opc.tcp://localhost:4840/UA/Plant',
        securityMode: 'SignAndEncrypt',
        securityPolicy: 'Basic256Sha256',
        userTokens: ['UserName'],
      },
    ];
    const want = (url: string, securityMode = 'None', securityPolicy = 'None', user = false) => ({
      url,
      securityMode,
      securityPolicy,
      user,
    });
    it('accepts a matching path (any host name) and a URL without a path', () => {
      assert.equal(endpointProblem(want('opc.tcp://127.0.0.1:4840/UA/Plant'), offered), undefined);
      assert.equal(endpointProblem(want('opc.tcp://127.0.0.1:4840'), offered), undefined);
      assert.equal(endpointProblem(want('opc.tcp://127.0.0.1:4840/UA/Plant/'), offered), undefined);
    });
    it('names a wrong path, a security setting not offered, and a refused token type', () => {
      assert.equal(
        endpointProblem(want('opc.tcp://h:4840/UA/Other'), offered),
        'no endpoint at path /UA/Other (the server offers /UA/Plant)',
      );
      assert.equal(
        endpointProblem(want('opc.tcp://h:4840/UA/Plant', 'Sign', 'Basic256Sha256'), offered),
        'security Sign/Basic256Sha256 not offered (the server offers None/None, SignAndEncrypt/Basic256Sha256)',
      );
      assert.match(
        String(
          endpointProblem(want('opc.tcp://h:4840/UA/Plant', 'SignAndEncrypt', 'Basic256Sha256'), offered),
        ),
        /refuses anonymous/,
      );
      assert.match(
        String(endpointProblem(want('opc.tcp://h:4840/UA/Plant', 'None', 'None', true), offered)),
        /does not accept user names/,
      );
    });
  });

  describe('NodeIds in one spelling', () => {
    const ns = ['http://opcfoundation.org/UA/', 'urn:other', 'urn:plant'];
    it("turns ns= and nsu= (with contrib-opcua's datatype suffix) into one key", () => {
      assert.equal(
        canonicalNodeId('nsu=urn:plant;s=Pump01.Speed;datatype=Double', ns),
        'ns=2;s=Pump01.Speed',
      );
      assert.equal(canonicalNodeId('ns=2;s=Pump01.Speed', ns), 'ns=2;s=Pump01.Speed');
      assert.equal(canonicalNodeId('ns=0;i=85', ns), 'i=85');
      assert.equal(canonicalNodeId('i=0085', ns), 'i=85');
      assert.equal(canonicalNodeId('s=a;b', ns), 's=a;b');
    });
    it('refuses what is not a NodeId and a namespace the server lacks', () => {
      assert.throws(() => canonicalNodeId('Pump01.Speed', ns), /is not a NodeId/);
      assert.throws(() => canonicalNodeId('nsu=urn:nope;s=X', ns), /no namespace urn:nope/);
      assert.throws(() => canonicalNodeId('ns=-1;s=X', ns), /is not a NodeId/);
    });
  });

  describe('server model', () => {
    it('types variables from the model, or from the first value', () => {
      assert.equal(variableType({ name: 'c', type: 'integer', min: 0 }, 1), 'UInt32');
      assert.equal(variableType({ name: 'c', type: 'integer' }, 1), 'Int32');
      assert.equal(variableType({ name: 'x', type: 'number' }, 1), 'Double');
      assert.equal(variableType({ name: 'b', type: 'boolean' }, 1), 'Boolean');
      assert.equal(variableType({ name: 'm', type: 'enum', values: ['a'] }, 'a'), 'Enumeration');
      assert.equal(variableType({ name: 's', type: 'string' }, 'a'), 'String');
      assert.equal(variableType({ name: 't', type: 'string', unit: 'datetime' }, 'a'), 'DateTime');
      assert.equal(variableType({ name: 'o', type: 'object' }, {}), undefined);
      assert.deepEqual(
        [1, true, 'x', null].map((v) => variableType(undefined, v)),
        ['Double', 'Boolean', 'String', undefined],
      );
    });
    it('gives UNECE engineering units for the units the model knows', () => {
      assert.deepEqual(engineeringUnit('°C'), {
        unitId: 4408652,
        code: 'CEL',
        displayName: '°C',
        description: 'degree Celsius',
      });
      assert.equal(engineeringUnit('bar')?.code, 'BAR');
      assert.equal(engineeringUnit('m3/h')?.code, 'MQH');
      assert.equal(engineeringUnit('%')?.unitId, 0x5031);
      assert.equal(engineeringUnit('furlong'), undefined);
      assert.equal(engineeringUnit(undefined), undefined);
    });
    it('takes the EURange from both limits and folders from the ISA-95 place', () => {
      assert.deepEqual(euRange({ name: 'p', type: 'number', min: 0, max: 10 }), { low: 0, high: 10 });
      assert.equal(euRange({ name: 'p', type: 'number', min: 0 }), undefined);
      const model = {
        name: 'Pump',
        properties: {},
        hierarchy: { enterprise: 'Acme', site: 'P1', area: '', line: 'L1' },
        staleAfter: 0,
        maxPayloadSize: 1,
      };
      assert.deepEqual(placeFolders(model), ['Acme', 'P1', 'L1']);
      assert.deepEqual(placeFolders(undefined), []);
    });
    it('checks a client write against the model', () => {
      const speed = { name: 'speed', type: 'number' as const, writable: true, min: 0, max: 100 };
      assert.equal(checkWrite(speed, 50), undefined);
      assert.equal(checkWrite(speed, 150), 'BadOutOfRange');
      assert.equal(checkWrite(speed, -1), 'BadOutOfRange');
      assert.equal(checkWrite({ ...speed, writable: false }, 50), 'BadNotWritable');
      assert.equal(checkWrite(undefined, 50), 'BadNotWritable');
      const mode = { name: 'mode', type: 'enum' as const, writable: true, values: ['auto', 'manual'] };
      assert.equal(checkWrite(mode, 1), undefined);
      assert.equal(checkWrite(mode, 2), 'BadOutOfRange');
      assert.equal(twinValueOf(mode, 1), 'manual');
      assert.equal(twinValueOf(undefined, new Date(0)), '1970-01-01T00:00:00.000Z');
      assert.equal(twinValueOf(speed, 5), 5);
    });
  });

  describe('mapping (existing core, now with tests of its own)', () => {
    const raw = {
      namespace: 'urn:plant',
      properties: [
        { property: 'speed', browsePath: 'Speed', samplingInterval: '100', unit: 'rpm', writable: 'true' },
        {
          property: 'level',
          nodeId: 'nsu=urn:plant;s={instance}.Level',
          scale: { rawLow: 0, rawHigh: 1000, engLow: 0, engHigh: 100, clamp: true },
        },
      ],
      instances: ['Pump01', { twin: 'Pump02', name: 'P2', root: '2:P2' }],
    };
    it('expands a template for each instance', () => {
      const items = expandMapping(defineMapping(raw));
      assert.equal(items.length, 4);
      assert.deepEqual(items[3].address, { nodeId: 'nsu=urn:plant;s=P2.Level' });
      assert.deepEqual(items[2].address, { browsePath: 'Speed', root: '2:P2' });
      assert.equal(items[0].samplingInterval, 100);
      assert.equal(items[0].writable, true);
    });
    it('refuses what cannot work', () => {
      assert.throws(() => defineMapping({ properties: [] }), /at least one property/);
      assert.throws(
        () => defineMapping({ ...raw, properties: [{ property: 'x' }] }),
        /exactly one of nodeId and browsePath/,
      );
      assert.throws(() => defineMapping({ ...raw, instances: [] }), /at least one instance/);
      assert.throws(() => defineMapping({ ...raw, refresh: -1 }), /refresh/);
    });
    it('scales both ways, clamps, and maps status names to quality', () => {
      const s = { rawLow: 0, rawHigh: 1000, engLow: 0, engHigh: 100, clamp: true };
      assert.equal(toEngineering(500, s), 50);
      assert.equal(toEngineering(2000, s), 100);
      assert.equal(toRaw(25, s), 250);
      assert.deepEqual(['Good', 'UncertainLastUsableValue', 'BadNodeIdUnknown'].map(qualityOf), [
        'good',
        'uncertain',
        'bad',
      ]);
    });
    it('round-trips through CSV', () => {
      const m = defineMapping(raw);
      assert.deepEqual(mappingFromCsv(mappingToCsv(m)), m);
    });
    it('coerces writes to the variable type', () => {
      assert.equal(coerceForWrite(1499.6, 'Int16', 'speed'), 1500);
      assert.equal(coerceForWrite(1, 'Boolean', 'on'), true);
      assert.throws(() => coerceForWrite(1e9, 'Int16', 'speed'), /out of range for Int16/);
      assert.throws(() => coerceForWrite('fast', 'Double', 'speed'), /not a finite number for Double/);
    });
  });
});
