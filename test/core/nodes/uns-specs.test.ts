import assert from 'node:assert/strict';
import { migrateConfig } from '../../../src/core/nodes/migrate';
import * as broker from '../../../src/core/nodes/twin-mqtt-broker';
import * as uns from '../../../src/core/nodes/twin-uns';

describe('core/nodes: twin-mqtt-broker spec', () => {
  const migrate = (c: object) => migrateConfig<broker.BrokerSettings>(c, broker.MIGRATIONS);

  it('DEFAULTS carry VERSION and parse', () => {
    assert.equal(broker.DEFAULTS.version, broker.VERSION);
    assert.deepEqual(broker.parse(broker.DEFAULTS), {
      config: { url: 'mqtt://127.0.0.1:1883', clientId: '', protocol: 'auto', tls: '' },
    });
  });

  it('migration to 1: fills the URL and client id; a version-1 flow without a protocol meant MQTT 5', () => {
    assert.deepEqual(broker.MIGRATIONS[0].up({}), {
      url: 'mqtt://127.0.0.1:1883',
      clientId: '',
      protocolVersion: '5',
    });
    assert.deepEqual(broker.MIGRATIONS[0].up({ version: 2 }).protocolVersion, 'auto');
    assert.equal(broker.MIGRATIONS[0].up({ protocolVersion: '4' }).protocolVersion, '4');
  });

  it('migration to 2: adds tls (none), keeps the protocol the flow chose', () => {
    assert.deepEqual(broker.MIGRATIONS[1].up({ url: 'mqtt://h:1', protocolVersion: '5' }), {
      url: 'mqtt://h:1',
      protocolVersion: '5',
      tls: '',
    });
    const v1 = migrate({ version: 1, url: 'mqtt://h:1', protocolVersion: '4' });
    assert.deepEqual([v1.version, v1.protocolVersion, v1.tls], [2, '4', '']);
  });

  it('parse refuses a URL that is not MQTT and an unknown protocol', () => {
    // A hand-written flow may hold anything.
    const bad = broker.parse({ url: 'http://x', protocolVersion: '6' as broker.ProtocolSetting });
    assert.ok('errors' in bad && bad.errors.length === 2);
    const ok = broker.parse(migrate({ version: 1, url: 'mqtts://h:8883', protocolVersion: 4 }));
    assert.ok('config' in ok && ok.config.protocol === 4);
  });
});

describe('core/nodes: twin-uns spec', () => {
  const migrate = (c: object) => migrateConfig<uns.UnsSettings>(c, uns.MIGRATIONS);

  it('DEFAULTS carry VERSION and parse to the documented defaults', () => {
    assert.equal(uns.DEFAULTS.version, uns.VERSION);
    const parsed = uns.parse(uns.DEFAULTS);
    assert.ok('config' in parsed);
    assert.deepEqual(
      [
        parsed.config.createUnknown,
        parsed.config.commandQueue,
        parsed.config.maxMessageBytes,
        parsed.config.qos,
      ],
      [false, 1000, uns.MQTT_MAX_PACKET, 1],
    );
  });

  it('migration to 1: fills every version-1 default without overriding', () => {
    const v1 = uns.MIGRATIONS[0].up({ qos: 0 });
    assert.equal(v1.qos, 0);
    assert.equal(v1.layout, 'uns');
    assert.equal(v1.bufferSize, 10000);
  });

  it('migration to 2: older flows keep the UNS layout', () => {
    assert.equal(uns.MIGRATIONS[1].up({ layout: 'aws' }).layout, 'uns');
    assert.equal(migrate({ version: 2, layout: 'aws' }).layout, 'aws');
  });

  it('migration to 3: commands for unknown twins refused, a bounded command queue, no size setting', () => {
    assert.deepEqual(uns.MIGRATIONS[2].up({ layout: 'aws' }), {
      layout: 'aws',
      createUnknown: false,
      commandQueue: 1000,
      maxMessageBytes: 0,
    });
    const v2 = migrate({ version: 2, layout: 'sparkplug', group: 'G' });
    assert.deepEqual([v2.version, v2.createUnknown, v2.layout], [3, false, 'sparkplug']);
  });

  it('parse refuses a template without {twin} or {property}, bad Sparkplug ids and a multi-level suffix', () => {
    const bad = uns.parse({ topic: '{enterprise}/{twin}' });
    assert.ok('errors' in bad);
    const spb = uns.parse({ layout: 'sparkplug', group: 'a/b', edgeNode: '#' });
    assert.ok('errors' in spb && spb.errors.length === 2);
    assert.ok('errors' in uns.parse({ setSuffix: 'a/b' }));
    const sized = uns.parse({ maxMessageBytes: '4096', commandQueue: 'x' });
    assert.ok(
      'config' in sized && sized.config.maxMessageBytes === 4096 && sized.config.commandQueue === 1000,
    );
  });
});
