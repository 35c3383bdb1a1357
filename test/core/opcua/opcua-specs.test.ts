import assert from 'node:assert/strict';
import { migrateConfig } from '../../../src/core/nodes/migrate';
import * as endpoint from '../../../src/core/nodes/twin-opcua-endpoint';
import * as map from '../../../src/core/nodes/twin-opcua-map';
import * as server from '../../../src/core/nodes/twin-opcua-server';

const MAPPING = JSON.stringify({
  properties: [{ property: 'speed', nodeId: 'ns=2;s=S' }],
  instances: ['P1'],
});

describe('core/nodes: OPC UA node specs', () => {
  describe('twin-opcua-endpoint', () => {
    it("migration 1 fills the first release's defaults", () => {
      const up = endpoint.MIGRATIONS.find((m) => m.to === 1)!.up;
      assert.deepEqual(up({ url: 'opc.tcp://plc:4840' }), {
        url: 'opc.tcp://plc:4840',
        securityMode: 'None',
        securityPolicy: 'None',
      });
    });
    it('migration 2 adds the connect timeout and retry cap', () => {
      const up = endpoint.MIGRATIONS.find((m) => m.to === 2)!.up;
      assert.deepEqual(up({ url: 'u' }), { url: 'u', connectTimeout: 5, maxRetryDelay: 10 });
      assert.deepEqual(up({ connectTimeout: 2 }), { connectTimeout: 2, maxRetryDelay: 10 });
    });
    it('a version 1 flow parses to the defaults of today', () => {
      const parsed = endpoint.parse(
        migrateConfig({ url: 'opc.tcp://plc:4840/UA/X', version: 1 }, endpoint.MIGRATIONS),
      );
      assert.ok('config' in parsed);
      assert.deepEqual(parsed.config, {
        ...endpoint.DEFAULTS,
        url: 'opc.tcp://plc:4840/UA/X',
        version: endpoint.VERSION,
      });
    });
    it('refuses a bad URL, a half-secured setting and a silly timeout', () => {
      const parsed = endpoint.parse({
        url: 'http://x',
        securityMode: 'Sign',
        securityPolicy: 'None',
        connectTimeout: 0,
      });
      assert.ok('errors' in parsed);
      assert.equal(parsed.errors.length, 3);
    });
  });

  describe('twin-opcua-map', () => {
    it('migration 2 adds the queue size and publishing interval', () => {
      const up = map.MIGRATIONS.find((m) => m.to === 2)!.up;
      assert.deepEqual(up({ mapping: MAPPING }), { mapping: MAPPING, queueSize: 10, publishingInterval: 0 });
    });
    it('migration 1 fills an empty mapping', () => {
      assert.deepEqual(map.MIGRATIONS.find((m) => m.to === 1)!.up({}), { mapping: '' });
    });
    it('parses the mapping and the settings', () => {
      const parsed = map.parse(
        migrateConfig({ mapping: MAPPING, endpoint: 'e1', version: 1 }, map.MIGRATIONS),
      );
      assert.ok('config' in parsed);
      assert.equal(parsed.config.queueSize, 10);
      assert.equal(parsed.config.mapping.properties[0].property, 'speed');
      const bad = map.parse({ mapping: '{', queueSize: 0, publishingInterval: -1 });
      assert.ok('errors' in bad);
      assert.deepEqual(bad.errors.length, 3);
    });
  });

  describe('twin-opcua-server', () => {
    it('migration 2 keeps what version 1 flows had, and a blank host becomes loopback', () => {
      const up = server.MIGRATIONS.find((m) => m.to === 2)!.up;
      assert.deepEqual(up({ host: '', port: 4840 }), {
        host: '127.0.0.1',
        port: 4840,
        securityModes: 'None',
        securityPolicies: 'None',
        allowAnonymous: true,
        writers: '*',
      });
      assert.equal(up({ host: '0.0.0.0' }).host, '0.0.0.0');
    });
    it("migration 1 fills the first release's defaults", () => {
      assert.deepEqual(server.MIGRATIONS.find((m) => m.to === 1)!.up({ port: 48400 }), {
        port: 48400,
        host: '127.0.0.1',
        resourcePath: '/UA/TwinFlow',
        namespace: 'urn:twinflow:twins',
        model: '',
      });
    });
    it('parses lists of modes, policies and writers', () => {
      const parsed = server.parse({ ...server.DEFAULTS, writers: 'operator, anonymous' });
      assert.ok('config' in parsed);
      assert.deepEqual(parsed.config.securityModes, ['None', 'SignAndEncrypt']);
      assert.deepEqual(parsed.config.writers, ['operator', 'anonymous']);
      const all = server.parse(server.DEFAULTS);
      assert.ok('config' in all && all.config.writers === undefined, '* is everyone');
    });
    it('refuses unknown modes and mismatched None', () => {
      const parsed = server.parse({
        ...server.DEFAULTS,
        securityModes: 'None,Bogus',
        securityPolicies: 'Basic256Sha256',
        port: 70000,
      });
      assert.ok('errors' in parsed);
      assert.equal(parsed.errors.length, 3);
    });
  });
});
