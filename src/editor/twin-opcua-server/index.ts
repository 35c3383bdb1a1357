import { RED } from '../shared/red';

RED.nodes.registerType('twin-opcua-server', {
  category: 'digital twin',
  color: '#87A980',
  defaults: {
    name: { value: '' },
    port: { value: '4840', required: true, validate: RED.validators.number(false) },
    host: { value: '127.0.0.1', required: true },
    resourcePath: { value: '/UA/TwinFlow' },
    namespace: { value: 'urn:twinflow:twins', required: true },
    model: { value: '', type: 'twin-model', required: false },
    version: { value: 1 },
  },
  inputs: 1,
  outputs: 1,
  icon: 'font-awesome/fa-server',
  label: function (this: { name?: string; port?: string }) {
    return this.name || `OPC UA server :${this.port ?? 4840}`;
  },
  labelStyle: function (this: { name?: string }) {
    return this.name ? 'node_label_italic' : '';
  },
  inputLabels: 'twin values',
  outputLabels: ['client writes (desire)'],
  paletteLabel: 'twin opcua server',
});
