import { DEFAULTS, LIMITS, VERSION } from '../../core/nodes/twin-sim';
import { checkValues } from '../../core/sim/kernel';
import type { Causality, SimModel, Variable } from '../../core/sim/model';
import { MODELS, odeModel, type OdeDefinition } from '../../core/sim/models';
import { messageValidator, RED, validation } from '../shared/red';

/** The model a configuration names: a library model, or the user model parsed from its JSON (undefined if invalid). */
function modelOf(name: string | undefined, ode: string | undefined): SimModel | undefined {
  if (name !== 'ode') return MODELS[name ?? 'pump'];
  try {
    return odeModel(JSON.parse(ode || '{}') as OdeDefinition);
  } catch {
    return undefined;
  }
}

function parseObject(text: string): Record<string, unknown> {
  const parsed = JSON.parse(text || '{}') as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error('must be a JSON object');
  return parsed as Record<string, unknown>;
}

/**
 * Parameters and initial inputs are checked against the chosen model (known names, finite, within range) with the
 * kernel's own check, so the editor and the runtime agree on what is valid.
 */
function settingsValidator(causality: 'parameter' | 'input'): (value: string) => boolean {
  const validator = function (this: { model?: string; ode?: string }, value: string, _opt?: unknown) {
    return validation(() => {
      const values = parseObject(value);
      const model = modelOf(this.model, this.ode);
      if (model) checkValues(model, causality, values);
    });
  };
  return validator as unknown as (value: string) => boolean;
}

/** Texts from this node's catalogue: RED._ needs the node's namespace, which a node definition's own `_` adds. */
type Translate = (key: string) => string;

/** A validator for a whole number of settings within its limits. */
function withinLimits(limits: { min: number; max: number }, what: string): (value: string) => boolean {
  return messageValidator((v) =>
    validation(() => {
      const x = Number(v);
      if (!(x >= limits.min && x <= limits.max))
        throw new Error(`${what} must be a number from ${limits.min} to ${limits.max}`);
    }),
  );
}

/** The range of a variable as text, e.g. "0 .. 120" or "≥ 0". */
function rangeText(v: Variable): string {
  if (v.min !== undefined && v.max !== undefined) return `${v.min} .. ${v.max}`;
  if (v.min !== undefined) return `≥ ${v.min}`;
  if (v.max !== undefined) return `≤ ${v.max}`;
  return '';
}

/** A table cell's value: empty means the default; otherwise a finite number within the variable's range. */
function cellError(v: Variable, text: string): string | undefined {
  if (text.trim() === '') return undefined;
  const x = Number(text);
  if (!Number.isFinite(x)) return 'not a number';
  if ((v.min !== undefined && x < v.min) || (v.max !== undefined && x > v.max))
    return `outside ${rangeText(v)}`;
  return undefined;
}

RED.nodes.registerType('twin-sim', {
  category: 'digital twin',
  color: '#A6BBCF',
  defaults: {
    name: { value: DEFAULTS.name },
    model: { value: DEFAULTS.model, validate: (v: string) => v === 'ode' || v in MODELS },
    ode: { value: DEFAULTS.ode },
    params: { value: DEFAULTS.params, validate: settingsValidator('parameter') },
    initialInputs: { value: DEFAULTS.initialInputs, validate: settingsValidator('input') },
    step: {
      value: String(DEFAULTS.step),
      validate: messageValidator((v) =>
        validation(() => {
          if (!(Number(v) > 0)) throw new Error('the step must be a positive number of seconds');
        }),
      ),
    },
    mode: { value: DEFAULTS.mode },
    speed: { value: String(DEFAULTS.speed), validate: RED.validators.number(false) },
    seed: { value: String(DEFAULTS.seed), validate: RED.validators.number(false) },
    twin: { value: DEFAULTS.twin },
    autostart: { value: DEFAULTS.autostart },
    events: { value: DEFAULTS.events },
    budget: { value: String(DEFAULTS.budget), validate: withinLimits(LIMITS.budget, 'the budget') },
    maxSteps: { value: String(DEFAULTS.maxSteps), validate: withinLimits(LIMITS.maxSteps, 'the step limit') },
    version: { value: VERSION },
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
  oneditprepare: function (this: { _: Translate }) {
    const t: Translate = (key) => this._(`twin-sim.${key}`);
    const select = $('#node-input-model');
    const odeText = $('#node-input-ode');
    const table = $('#twin-sim-variables');
    const hidden: Record<'parameter' | 'input', JQuery> = {
      parameter: $('#node-input-params'),
      input: $('#node-input-initialInputs'),
    };
    const read = (field: JQuery): Record<string, unknown> => {
      try {
        return parseObject(String(field.val()));
      } catch {
        return {};
      }
    };

    /** Writes the table's non-empty cells back to the hidden JSON fields the node saves. */
    const store = (): void => {
      for (const causality of ['parameter', 'input'] as const) {
        const values: Record<string, number | string> = {};
        table.find(`input[data-causality="${causality}"]`).each(function () {
          const cell = $(this);
          const text = String(cell.val()).trim();
          if (text !== '')
            values[String(cell.data('name'))] = Number.isFinite(Number(text)) ? Number(text) : text;
        });
        hidden[causality].val(JSON.stringify(values));
      }
    };

    const section = (title: string): void => {
      $('<tr></tr>')
        .append(
          $('<th colspan="4"></th>')
            .css({ textAlign: 'left', padding: '6px 4px 2px', borderBottom: '1px solid #ddd' })
            .text(title),
        )
        .appendTo(table);
    };

    const editableRows = (
      model: SimModel,
      causality: 'parameter' | 'input',
      current: Record<string, unknown>,
    ) => {
      const variables = model.variables.filter((v) => v.causality === causality);
      if (variables.length === 0) return;
      section(causality === 'parameter' ? t('label.params') : t('label.inputs'));
      for (const v of variables) {
        const cell = $('<input type="text" class="twin-sim-value">')
          .attr({ 'data-name': v.name, 'data-causality': causality, placeholder: String(v.start) })
          .css({ width: '100%' })
          .val(current[v.name] === undefined ? '' : String(current[v.name]));
        const check = (): void => {
          const error = cellError(v, String(cell.val()));
          cell.toggleClass('input-error', error !== undefined).attr('title', error ?? '');
          store();
        };
        cell.on('input change', check);
        $('<tr></tr>')
          .attr('data-variable', v.name)
          .append(
            $('<td></td>')
              .css({ padding: '2px 4px', width: '35%' })
              .text(v.name)
              .attr('title', v.description ?? ''),
          )
          .append($('<td></td>').css({ padding: '2px 4px', width: '25%' }).append(cell))
          .append(
            $('<td class="twin-sim-unit"></td>')
              .css({ padding: '2px 4px' })
              .text(v.unit ?? ''),
          )
          .append($('<td></td>').css({ padding: '2px 4px', color: '#888' }).text(rangeText(v)))
          .appendTo(table);
        check();
      }
    };

    /** Rebuilds the table for the selected model; `keep` carries the saved values over (first build only). */
    const build = (keep: boolean): void => {
      const current = {
        parameter: keep ? read(hidden.parameter) : {},
        input: keep ? read(hidden.input) : {},
      };
      table.empty();
      $('.twin-sim-ode-row').toggle(select.val() === 'ode');
      const model = modelOf(String(select.val()), String(odeText.val()));
      $('#twin-sim-description').text(model?.description ?? '');
      if (!model) {
        store();
        return;
      }
      $('<tr></tr>')
        .append(
          ['name', 'value', 'unit', 'range'].map((c) =>
            $('<th></th>')
              .css({ textAlign: 'left', padding: '2px 4px', fontWeight: 'normal', color: '#888' })
              .text(t(`column.${c}`)),
          ),
        )
        .appendTo(table);
      editableRows(model, 'parameter', current.parameter);
      editableRows(model, 'input', current.input);
      const outputs = model.variables.filter((v) =>
        (['output', 'state'] as Causality[]).includes(v.causality),
      );
      section(t('label.outputs'));
      $('<tr></tr>')
        .append(
          $('<td colspan="4"></td>')
            .css({ padding: '2px 4px' })
            .text(outputs.map((v) => (v.unit ? `${v.name} (${v.unit})` : v.name)).join(', ')),
        )
        .appendTo(table);
      store();
    };

    // Another model starts from its defaults; an edited user model keeps the values of the names it still has.
    select.on('change', () => build(false));
    odeText.on('change', () => build(true));
    build(true);
    const mode = $('#node-input-mode');
    mode.on('change', () => {
      $('.twin-sim-realtime-row').toggle(mode.val() === 'realtime');
      $('.twin-sim-speed-row').toggle(mode.val() !== 'message');
    });
    mode.trigger('change');
  },
});
