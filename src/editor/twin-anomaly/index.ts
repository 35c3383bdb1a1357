import { HOTELLING_DEFAULTS } from '../../core/anomaly/hotelling';
import { alarmDefaultsFor, DETECTORS, DETECTOR_NAMES } from '../../core/anomaly/registry';
import { messageValidator, RED, validation } from '../shared/red';

const detectorDefaults = (name: string): object =>
  name === 'hotelling' ? HOTELLING_DEFAULTS : (DETECTORS[name as keyof typeof DETECTORS]?.defaults ?? {});

const between = (lo: number, hi: number, integer: boolean) =>
  messageValidator((v) =>
    validation(() => {
      const n = Number(v);
      if (v === '' || !Number.isFinite(n) || n < lo || n > hi || (integer && !Number.isInteger(n))) {
        throw new Error(`must be ${integer ? 'an integer' : 'a number'} from ${lo} to ${hi}`);
      }
    }),
  );

RED.nodes.registerType('twin-anomaly', {
  category: 'digital twin',
  color: '#E9967A',
  defaults: {
    name: { value: '' },
    detector: {
      value: 'auto',
      validate: (v: string) => v === 'hotelling' || (DETECTOR_NAMES as string[]).includes(v),
    },
    params: {
      value: '{}',
      validate: messageValidator((v) =>
        validation(() => {
          const parsed = JSON.parse(v || '{}') as unknown;
          if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
            throw new Error('must be a JSON object');
        }),
      ),
    },
    signals: { value: '' },
    signalName: { value: 'value', required: true },
    runningProperty: { value: '' },
    // The alarm defaults suit the default detector (auto: one detection raises); see oneditprepare.
    threshold: { value: String(alarmDefaultsFor('auto').threshold), validate: between(0, 1, false) },
    raiseK: { value: String(alarmDefaultsFor('auto').raiseK), validate: between(1, 1000, true) },
    raiseN: { value: String(alarmDefaultsFor('auto').raiseN), validate: between(1, 1000, true) },
    clearM: { value: String(alarmDefaultsFor('auto').clearM), validate: between(1, 100000, true) },
    learnInAlarm: { value: false },
    store: { value: '' },
    version: { value: 1 },
  },
  inputs: 1,
  outputs: 2,
  icon: 'font-awesome/fa-heartbeat',
  label: function (this: { name?: string; detector?: string }) {
    return this.name || `anomaly (${this.detector ?? 'auto'})`;
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
    const showDefaults = (): void => {
      hint.text(JSON.stringify(detectorDefaults(String(select.val()))));
    };
    // Choosing another detector proposes the alarm settings that suit it (k of n for the statistical detectors, one
    // detection for auto), unless the user changed them from the previous detector's.
    let previous = String(select.val());
    select.on('change', () => {
      const next = String(select.val());
      const before = alarmDefaultsFor(previous);
      const after = alarmDefaultsFor(next);
      for (const key of ['raiseK', 'raiseN'] as const) {
        const input = $(`#node-input-${key}`);
        if (String(input.val()) === String(before[key])) input.val(String(after[key]));
      }
      previous = next;
      showDefaults();
    });
    showDefaults();
  },
});
