import { MODELS } from '../../core/sim/models';
import { messageValidator, RED, validation } from '../shared/red';

const jsonObject = messageValidator((v) =>
  validation(() => {
    const parsed = JSON.parse(v || '{}') as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('must be a JSON object');
  }),
);

RED.nodes.registerType('twin-sim', {
  category: 'digital twin',
  color: '#A6BBCF',
  defaults: {
    name: { value: '' },
    model: { value: 'pump', validate: (v: string) => v === 'ode' || v in MODELS },
    ode: { value: '' },
    params: { value: '{}', validate: jsonObject },
    initialInputs: { value: '{}', validate: jsonObject },
    step: {
      value: '1',
      validate: messageValidator((v) =>
        validation(() => {
          if (!(Number(v) > 0)) throw new Error('the step must be a positive number of seconds');
        }),
      ),
    },
    mode: { value: 'message' },
    speed: { value: '1', validate: RED.validators.number(false) },
    seed: { value: '1', validate: RED.validators.number(false) },
    twin: { value: '' },
    autostart: { value: false },
    version: { value: 1 },
  },
  inputs: 1,
  outputs: 3,
  icon: 'font-awesome/fa-cogs',
  label: function (this: { name?: string; model?: string }) {
    return this.name || `sim: ${this.model ?? 'pump'}`;
  },
  labelStyle: function (this: { name?: string }) {
    return this.name ? 'node_label_italic' : '';
  },
  inputLabels: 'inputs, measurements or command',
  outputLabels: ['outputs (twin envelope)', 'residuals (shadow mode)', 'command results'],
  paletteLabel: 'twin sim',
  oneditprepare: function () {
    const select = $('#node-input-model');
    const table = $('#twin-sim-variables');
    const showVariables = (): void => {
      table.empty();
      const model = MODELS[String(select.val())];
      $('.twin-sim-ode-row').toggle(select.val() === 'ode');
      if (!model) return;
      $('<div></div>')
        .css({ marginBottom: '4px', fontStyle: 'italic' })
        .text(model.description)
        .appendTo(table);
      for (const v of model.variables) {
        $('<div></div>')
          .text(
            `${v.causality}: ${v.name} = ${v.start}${v.unit ? ` ${v.unit}` : ''}${v.description ? ` (${v.description})` : ''}`,
          )
          .appendTo(table);
      }
    };
    select.on('change', showVariables);
    showVariables();
    const mode = $('#node-input-mode');
    mode.on('change', () => $('.twin-sim-realtime-row').toggle(mode.val() === 'realtime'));
    mode.trigger('change');
  },
});
