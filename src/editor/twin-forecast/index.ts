import { TWIN_FORECAST_DEFAULTS, TWIN_FORECAST_VERSION } from '../../core/nodes/twin-forecast';
import { messageValidator, RED, validation } from '../shared/red';

const d = TWIN_FORECAST_DEFAULTS;

const between = (lo: number, hi: number, integer = false) =>
  messageValidator((v) =>
    validation(() => {
      const n = Number(v);
      if (v === '' || !Number.isFinite(n) || n < lo || n > hi || (integer && !Number.isInteger(n))) {
        throw new Error(`must be ${integer ? 'an integer' : 'a number'} from ${lo} to ${hi}`);
      }
    }),
  );

RED.nodes.registerType('twin-forecast', {
  category: 'digital twin',
  color: '#E9967A',
  defaults: {
    name: { value: d.name },
    mode: { value: d.mode },
    signals: { value: d.signals },
    signalName: { value: d.signalName },
    method: { value: d.method },
    alpha: { value: d.alpha, validate: between(0.001, 1) },
    beta: { value: d.beta, validate: between(0, 1) },
    phi: { value: d.phi, validate: between(0.5, 1) },
    window: { value: d.window, validate: between(3, 10000, true) },
    level: { value: d.level, validate: between(50, 99.9) },
    horizon: { value: d.horizon, validate: between(1e-9, 1e9) },
    lookAhead: { value: d.lookAhead, validate: between(1e-9, 1e12) },
    timeUnit: { value: d.timeUnit },
    limit: {
      value: d.limit,
      validate: messageValidator((v) =>
        validation(() => {
          if (v.trim() !== '' && !Number.isFinite(Number(v))) throw new Error('must be a number or blank');
        }),
      ),
    },
    direction: { value: d.direction },
    model: { value: d.model, type: 'twin-model', required: false },
    rulModel: { value: d.rulModel },
    rulSignals: { value: d.rulSignals },
    report: { value: d.report },
    change: { value: d.change, validate: between(0, 1000) },
    pathPoints: { value: d.pathPoints, validate: between(0, 500, true) },
    writeTwin: { value: d.writeTwin },
    maxKeys: { value: d.maxKeys, validate: between(1, 1e6, true) },
    store: { value: d.store },
    version: { value: TWIN_FORECAST_VERSION },
  },
  inputs: 1,
  outputs: 2,
  icon: 'font-awesome/fa-line-chart',
  label: function (this: { name?: string; mode?: string; method?: string }) {
    return this.name || (this.mode === 'rul' ? 'remaining life' : `forecast (${this.method ?? 'holt'})`);
  },
  labelStyle: function (this: { name?: string }) {
    return this.name ? 'node_label_italic' : '';
  },
  inputLabels: 'signals or twin',
  outputLabels: ['forecast', 'twin properties (rul, tttLimit)'],
  paletteLabel: 'twin forecast',
  oneditprepare: function () {
    const mode = $('#node-input-mode');
    const show = (): void => {
      const rul = mode.val() === 'rul';
      $('.twin-forecast-trend').toggle(!rul);
      $('.twin-forecast-rul').toggle(rul);
      $('.twin-forecast-damped').toggle(!rul && $('#node-input-method').val() === 'damped');
    };
    mode.on('change', show);
    $('#node-input-method').on('change', show);
    show();
  },
});
