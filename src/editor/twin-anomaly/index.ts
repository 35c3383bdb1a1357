import { alarmDefaultsFor, DETECTORS, isDetectorName } from '../../core/anomaly/registry';
import {
  ADAPT_UNITS,
  checkNumber,
  DEFAULTS,
  MODES,
  NUMBER_RULES,
  TRAIN_UNITS,
  VERSION,
} from '../../core/nodes/twin-anomaly';
import { messageValidator, RED } from '../shared/red';

const detectorDefaults = (name: string): object => (isDetectorName(name) ? DETECTORS[name].defaults : {});

/** A number field: its default and the spec's rule for it. */
const numberField = (field: keyof typeof NUMBER_RULES) => ({
  value: DEFAULTS[field],
  validate: messageValidator((v) => checkNumber(field, v) ?? true),
});

const oneOf = (values: readonly string[], value: string) => ({
  value,
  validate: (v: string) => values.includes(v),
});

RED.nodes.registerType('twin-anomaly', {
  category: 'digital twin',
  color: '#E9967A',
  defaults: {
    name: { value: DEFAULTS.name },
    detector: { value: DEFAULTS.detector, validate: (v: string) => isDetectorName(v) },
    params: {
      value: DEFAULTS.params,
      validate: messageValidator((v) => {
        try {
          const parsed = JSON.parse(v || '{}') as unknown;
          if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return true;
        } catch {
          // the message below
        }
        return 'must be a JSON object';
      }),
    },
    signals: { value: DEFAULTS.signals },
    signalName: { value: DEFAULTS.signalName, required: true },
    runningProperty: { value: DEFAULTS.runningProperty },
    threshold: numberField('threshold'),
    raiseK: numberField('raiseK'),
    raiseN: numberField('raiseN'),
    clearM: numberField('clearM'),
    learnInAlarm: { value: DEFAULTS.learnInAlarm },
    mode: oneOf(MODES, DEFAULTS.mode),
    train: numberField('train'),
    trainUnit: oneOf(TRAIN_UNITS, DEFAULTS.trainUnit),
    adaptAfter: numberField('adaptAfter'),
    adaptUnit: oneOf(ADAPT_UNITS, DEFAULTS.adaptUnit),
    signalAlarms: { value: DEFAULTS.signalAlarms },
    maxKeys: numberField('maxKeys'),
    maxSignals: numberField('maxSignals'),
    maxNameLength: numberField('maxNameLength'),
    maxMagnitude: numberField('maxMagnitude'),
    store: { value: DEFAULTS.store },
    version: { value: VERSION },
  },
  inputs: 1,
  outputs: 2,
  icon: 'font-awesome/fa-heartbeat',
  label: function (this: { name?: string; detector?: string }) {
    return this.name || `anomaly (${this.detector ?? DEFAULTS.detector})`;
  },
  labelStyle: function (this: { name?: string }) {
    return this.name ? 'node_label_italic' : '';
  },
  inputLabels: 'signals or twin',
  outputLabels: ['scored', 'alarm raise / clear'],
  paletteLabel: 'twin anomaly',
  oneditprepare: function () {
    const select = $('#node-input-detector');
    const hint = $('#twin-anomaly-defaults');
    const mode = $('#node-input-mode');
    const showDefaults = (): void => {
      hint.text(JSON.stringify(detectorDefaults(String(select.val()))));
    };
    const showMode = (): void => {
      const training = mode.val() === 'train-then-monitor';
      $('#twin-anomaly-train-row').toggle(training);
      $('#twin-anomaly-adapt-row').toggle(!training);
    };
    // Choosing another detector proposes the alarm settings that suit it (3 of 5 at 0.999 for the statistical
    // detectors, one detection at 0.9999 for auto), unless the user changed them from the previous detector's.
    let previous = String(select.val());
    select.on('change', () => {
      const next = String(select.val());
      const before = alarmDefaultsFor(previous);
      const after = alarmDefaultsFor(next);
      for (const key of ['threshold', 'raiseK', 'raiseN'] as const) {
        const input = $(`#node-input-${key}`);
        if (String(input.val()) === String(before[key])) input.val(String(after[key]));
      }
      previous = next;
      showDefaults();
    });
    mode.on('change', showMode);
    showDefaults();
    showMode();
  },
});
