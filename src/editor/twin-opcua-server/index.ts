import { DEFAULTS, VERSION } from '../../core/nodes/twin-opcua-server';
import { RED } from '../shared/red';

RED.nodes.registerType('twin-opcua-server', {
  category: 'digital twin',
  color: '#87A980',
  defaults: {
    name: { value: DEFAULTS.name },
    port: { value: DEFAULTS.port, required: true, validate: RED.validators.number(false) },
    host: { value: DEFAULTS.host, required: true },
    resourcePath: { value: DEFAULTS.resourcePath },
    namespace: { value: DEFAULTS.namespace, required: true },
    model: { value: DEFAULTS.model, type: 'twin-model', required: false },
    securityModes: { value: DEFAULTS.securityModes, required: true },
    securityPolicies: { value: DEFAULTS.securityPolicies, required: true },
    allowAnonymous: { value: DEFAULTS.allowAnonymous },
    writers: { value: DEFAULTS.writers },
    version: { value: VERSION },
  },
  credentials: { users: { type: 'password' } },
  inputs: 1,
  outputs: 1,
  icon: 'font-awesome/fa-server',
  label: function (this: { name?: string; port?: string | number }) {
    return this.name || `OPC UA server :${this.port ?? 4840}`;
  },
  labelStyle: function (this: { name?: string }) {
    return this.name ? 'node_label_italic' : '';
  },
  inputLabels: 'twin values',
  outputLabels: ['client writes (desire)'],
  paletteLabel: 'twin opcua server',
});
