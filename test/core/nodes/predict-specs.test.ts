import assert from 'node:assert/strict';
import { migrateConfig } from '../../../src/core/nodes/migrate';
import * as forecast from '../../../src/core/nodes/twin-forecast';
import * as infer from '../../../src/core/nodes/twin-infer';

describe('node specs: twin-forecast and twin-infer', () => {
  it('twin-forecast migration to 1 fills every default and keeps what a flow saved', () => {
    const migrated = migrateConfig({ id: 'n1', limit: '80', method: 'robust' }, forecast.MIGRATIONS);
    assert.deepEqual(migrated, { ...forecast.DEFAULTS, id: 'n1', limit: '80', method: 'robust', version: 1 });
    assert.equal(forecast.VERSION, 1);
  });

  it('twin-forecast parse: the defaults parse; every wrong setting is listed', () => {
    const ok = forecast.parse(forecast.DEFAULTS);
    assert.ok('config' in ok);
    assert.equal(ok.config.unitMs, 3_600_000);
    assert.equal(ok.config.forecast.level, 0.9);
    const bad = forecast.parse({
      ...forecast.DEFAULTS,
      alpha: '2',
      limit: 'high',
      mode: 'rul',
      rulSignals: 'a',
    });
    assert.ok('errors' in bad);
    assert.deepEqual(bad.errors, [
      'alpha must be a number from 0.001 to 1',
      'limit must be a number or blank',
      'rulSignals: "a" is not modelSignal=property',
      'rul mode needs a model file',
    ]);
  });

  it('twin-infer migration to 1 fills every default and keeps what a flow saved', () => {
    const migrated = migrateConfig({ id: 'n2', features: 'a,b' }, infer.MIGRATIONS);
    assert.deepEqual(migrated, { ...infer.DEFAULTS, id: 'n2', features: 'a,b', version: 1 });
  });

  it('twin-infer parse: features, window and normalisation parameters are checked', () => {
    const ok = infer.parse({
      ...infer.DEFAULTS,
      modelFile: 'm.onnx',
      features: 'a, b',
      normalise: 'zscore',
      normParams: '{"mean": [1, 2], "std": [1, 4]}',
    });
    assert.ok('config' in ok);
    assert.deepEqual(ok.config.features, ['a', 'b']);
    assert.deepEqual(ok.config.b, [1, 4]);
    const bad = infer.parse({
      ...infer.DEFAULTS,
      window: '0',
      normalise: 'minmax',
      normParams: '{"min": [1], "max": [0]}',
    });
    assert.ok('errors' in bad);
    assert.deepEqual(bad.errors, [
      'list at least one feature',
      'choose an ONNX model file',
      'window must be an integer from 1 to 1000',
      'normalisation needs min and max arrays of 0 numbers',
    ]);
  });
});
