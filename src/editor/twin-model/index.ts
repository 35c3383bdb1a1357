import { DEFAULTS, VERSION } from '../../core/nodes/twin-model';
import { defineModel, knownUnits, PROPERTY_TYPES, type PropertyDef } from '../../core/twin';
import { messageValidator, RED, validation } from '../shared/red';

type Row = Partial<Record<keyof PropertyDef, string | number | boolean | string[]>>;

const FIELDS: { key: keyof PropertyDef; width: string; kind: 'text' | 'number' | 'select' | 'checkbox' }[] = [
  { key: 'name', width: '22%', kind: 'text' },
  { key: 'type', width: '14%', kind: 'select' },
  { key: 'unit', width: '10%', kind: 'text' },
  { key: 'min', width: '9%', kind: 'number' },
  { key: 'max', width: '9%', kind: 'number' },
  { key: 'deadband', width: '9%', kind: 'number' },
  { key: 'staleAfter', width: '10%', kind: 'number' },
  { key: 'history', width: '8%', kind: 'number' },
  { key: 'writable', width: '5%', kind: 'checkbox' },
];

function readRows(list: JQuery): Row[] {
  const rows: Row[] = [];
  list.editableList('items').each(function (this: HTMLElement) {
    const row: Row = {};
    const item = $(this);
    for (const field of FIELDS) {
      const input = item.find(`.twin-model-${field.key}`);
      if (field.kind === 'checkbox') {
        if (input.prop('checked')) row[field.key] = true;
      } else {
        const value = String(input.val() ?? '').trim();
        if (value !== '') row[field.key] = field.kind === 'number' ? Number(value) : value;
      }
    }
    const values = String(item.find('.twin-model-values').val() ?? '').trim();
    if (row.type === 'enum' && values) row.values = values.split(',').map((v) => v.trim());
    rows.push(row);
  });
  return rows;
}

RED.nodes.registerType('twin-model', {
  category: 'config',
  defaults: {
    name: { value: '', required: true },
    properties: {
      value: '[]',
      validate: messageValidator((v) =>
        validation(() => defineModel({ properties: JSON.parse(v || '[]') as unknown })),
      ),
    },
    enterprise: { value: '' },
    site: { value: '' },
    area: { value: '' },
    line: { value: '' },
    cell: { value: '' },
    staleAfter: { value: DEFAULTS.staleAfter, validate: RED.validators.number(true) },
    maxClockSkew: { value: DEFAULTS.maxClockSkew, validate: RED.validators.number(true) },
    store: { value: DEFAULTS.store },
    version: { value: VERSION },
  },
  label: function (this: { name?: string }) {
    return this.name || 'twin model';
  },
  oneditprepare: function (this: { properties: string; _: (key: string) => string }) {
    const list = $('#node-config-input-property-list');
    const units = $('#twin-model-units');
    for (const unit of knownUnits()) $('<option>').attr('value', unit).appendTo(units);
    list.css('min-height', '200px').editableList({
      removable: true,
      sortable: true,
      addButton: this._('twin-model.label.addProperty'),
      addItem: (container: JQuery, _index: number, data: Row) => {
        const line = $('<div style="display:flex;gap:4px;align-items:center"></div>').appendTo(container);
        for (const field of FIELDS) {
          const cell = $(`<div style="width:${field.width}"></div>`).appendTo(line);
          let input: JQuery;
          if (field.kind === 'select') {
            input = $('<select style="width:100%"></select>');
            for (const t of PROPERTY_TYPES) $('<option>').val(t).text(t).appendTo(input);
            input.val(String(data[field.key] ?? 'number'));
          } else if (field.kind === 'checkbox') {
            input = $('<input type="checkbox">').prop('checked', data[field.key] === true);
          } else {
            input = $(`<input type="text" style="width:100%">`).val(String(data[field.key] ?? ''));
            input.attr('placeholder', field.key);
            if (field.key === 'unit') input.attr('list', 'twin-model-units');
          }
          input.addClass(`twin-model-${field.key}`).attr('title', field.key).appendTo(cell);
        }
        const values = $('<input type="text" class="twin-model-values" style="width:100%;margin-top:4px">')
          .attr('placeholder', 'enum values, comma separated')
          .val(Array.isArray(data.values) ? data.values.join(', ') : '')
          .appendTo(container);
        const type = container.find('.twin-model-type');
        const showValues = (): void => {
          values.toggle(type.val() === 'enum');
        };
        type.on('change', showValues);
        showValues();
      },
    });
    let rows: Row[] = [];
    try {
      rows = JSON.parse(this.properties || '[]') as Row[];
    } catch {
      rows = [];
    }
    for (const row of rows) list.editableList('addItem', row);
  },
  oneditsave: function (this: { properties: string }) {
    const rows = readRows($('#node-config-input-property-list'));
    const text = JSON.stringify(rows);
    $('#node-config-input-properties').val(text);
    this.properties = text;
  },
  oneditresize: function (size: { height: number }) {
    const list = $('#node-config-input-property-list');
    const others = $('.node-config-twin-model-row:visible')
      .toArray()
      .reduce((h, el) => h + ($(el).outerHeight(true) ?? 0), 0);
    list.editableList('height', Math.max(200, size.height - others - 40));
  },
});
