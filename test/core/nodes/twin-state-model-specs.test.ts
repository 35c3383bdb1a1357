import assert from 'node:assert/strict';
import { migrateConfig } from '../../../src/core/nodes/migrate';
import * as model from '../../../src/core/nodes/twin-model';
import * as state from '../../../src/core/nodes/twin-state';

describe('node specs: twin-state and twin-model', () => {
  it('twin-state migration to 1: a config without a version gets every default', () => {
    assert.deepEqual(migrateConfig({ id: 's', model: 'm' }, state.MIGRATIONS), {
      id: 's',
      model: 'm',
      action: 'msg',
      twinId: 'topic',
      twinIdType: 'msg',
      version: 1,
    });
    assert.equal(state.VERSION, 1);
    assert.deepEqual(migrateConfig({ ...state.DEFAULTS }, state.MIGRATIONS), state.DEFAULTS);
  });

  it('twin-model migration to 1: a config without a version gets every default; maxClockSkew absent means 5 min', () => {
    const migrated = migrateConfig({ id: 'm', name: 'Pump' }, model.MIGRATIONS);
    assert.deepEqual(migrated, {
      id: 'm',
      name: 'Pump',
      properties: '[]',
      enterprise: '',
      site: '',
      area: '',
      line: '',
      cell: '',
      staleAfter: '',
      store: '',
      version: 1,
    });
    assert.equal(model.modelOf(migrated).maxClockSkew, 300_000);
    assert.equal(model.modelOf({ ...migrated, maxClockSkew: '1000' }).maxClockSkew, 1000);
  });

  it('parse refuses what the runtime could not use', () => {
    assert.ok('config' in state.parse(state.DEFAULTS));
    assert.ok('errors' in state.parse({ action: 'explode' as never }));
    assert.ok('errors' in state.parse({ twinIdType: 'shell' }));
    assert.ok('config' in model.parse({ properties: '[{"name":"t"}]' }));
    assert.ok('errors' in model.parse({ properties: '[{"name":"t"},{"name":"t"}]' }));
    assert.ok('errors' in model.parse({ maxClockSkew: -1 }));
  });
});
