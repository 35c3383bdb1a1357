import { renderTopic } from '../../core/uns/topic';
import { messageValidator, RED, validation } from '../shared/red';

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
      validate: messageValidator((v) =>
        validation(() => {
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
    version: { value: 1 },
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
});
