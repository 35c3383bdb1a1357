import { renderTopic } from '../../core/uns/topic';
import { RED, validation, type Validation } from '../shared/red';

/**
 * A validator that also sees the chosen layout (the dialog's, while editing): fields of another layout are not
 * checked. Two parameters, so Node-RED shows the returned message (see messageValidator).
 */
function layoutValidator(fn: (value: string, layout: string) => Validation): (value: string) => boolean {
  const validator = function (this: { layout?: string }, value: string, _opt?: unknown): Validation {
    const editing = $('#node-input-layout').val();
    return fn(value ?? '', typeof editing === 'string' && editing ? editing : (this.layout ?? 'uns'));
  };
  return validator as unknown as (value: string) => boolean;
}

RED.nodes.registerType('twin-uns', {
  category: 'digital twin',
  color: '#D8BFD8',
  defaults: {
    name: { value: '' },
    broker: { value: '', type: 'twin-mqtt-broker', required: true },
    model: { value: '', type: 'twin-model', required: true },
    topic: {
      value: '{enterprise}/{site}/{area}/{line}/{cell}/{twin}/{property}',
      required: true,
      validate: layoutValidator((v, layout) =>
        validation(() => {
          if (layout !== 'uns') return;
          if (!v.includes('{twin}') || !v.includes('{property}'))
            throw new Error('the template needs {twin} and {property}');
          renderTopic(v, { twin: 't', property: 'p' });
        }),
      ),
    },
    qos: { value: '1' },
    retain: { value: true },
    publishTwin: { value: true },
    commands: { value: true },
    setSuffix: { value: 'set', required: true },
    bufferSize: { value: '10000', validate: RED.validators.number(false) },
    layout: { value: 'uns' },
    group: {
      value: 'TwinFlow',
      validate: layoutValidator((v, layout) =>
        validation(() => {
          if (layout === 'sparkplug' && (!v || /[+#/]/.test(v)))
            throw new Error('a Sparkplug group id is required, without + # /');
        }),
      ),
    },
    edgeNode: {
      value: '',
      validate: layoutValidator((v, layout) =>
        validation(() => {
          if (layout === 'sparkplug' && /[+#/]/.test(v)) throw new Error('no + # / in an edge node id');
        }),
      ),
    },
    version: { value: 2 },
  },
  inputs: 1,
  outputs: 1,
  icon: 'font-awesome/fa-sitemap',
  label: function (this: { name?: string }) {
    return this.name || 'UNS bridge';
  },
  labelStyle: function (this: { name?: string }) {
    return this.name ? 'node_label_italic' : '';
  },
  inputLabels: 'twin changes',
  outputLabels: ['accepted commands (desire)'],
  paletteLabel: 'twin uns',
  oneditprepare: function () {
    const layout = $('#node-input-layout');
    layout.on('change', () => {
      const value = String(layout.val());
      $('.twin-uns-uns-row').toggle(value === 'uns');
      $('.twin-uns-sparkplug-row').toggle(value === 'sparkplug');
      $('.twin-uns-buffer-row').toggle(value !== 'sparkplug');
    });
    layout.trigger('change');
  },
});
