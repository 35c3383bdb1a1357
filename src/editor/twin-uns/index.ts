import { DEFAULTS, VERSION } from '../../core/nodes/twin-uns';
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
    name: { value: DEFAULTS.name },
    broker: { value: '', type: 'twin-mqtt-broker', required: true },
    model: { value: '', type: 'twin-model', required: true },
    topic: {
      value: DEFAULTS.topic,
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
    qos: { value: String(DEFAULTS.qos) },
    retain: { value: DEFAULTS.retain },
    publishTwin: { value: DEFAULTS.publishTwin },
    commands: { value: DEFAULTS.commands },
    setSuffix: { value: DEFAULTS.setSuffix, required: true },
    bufferSize: { value: String(DEFAULTS.bufferSize), validate: RED.validators.number(false) },
    createUnknown: { value: DEFAULTS.createUnknown },
    commandQueue: { value: String(DEFAULTS.commandQueue), validate: RED.validators.number(false) },
    maxMessageBytes: { value: String(DEFAULTS.maxMessageBytes), validate: RED.validators.number(false) },
    layout: { value: DEFAULTS.layout },
    group: {
      value: DEFAULTS.group,
      validate: layoutValidator((v, layout) =>
        validation(() => {
          if (layout === 'sparkplug' && (!v || /[+#/]/.test(v)))
            throw new Error('a Sparkplug group id is required, without + # /');
        }),
      ),
    },
    edgeNode: {
      value: DEFAULTS.edgeNode,
      validate: layoutValidator((v, layout) =>
        validation(() => {
          if (layout === 'sparkplug' && /[+#/]/.test(v)) throw new Error('no + # / in an edge node id');
        }),
      ),
    },
    version: { value: VERSION },
  },
  inputs: 1,
  outputs: 2,
  icon: 'font-awesome/fa-sitemap',
  label: function (this: { name?: string }) {
    return this.name || 'UNS bridge';
  },
  labelStyle: function (this: { name?: string }) {
    return this.name ? 'node_label_italic' : '';
  },
  inputLabels: 'twin changes',
  outputLabels: ['accepted commands (desire)', 'dead letters'],
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
