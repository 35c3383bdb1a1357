import { DEFAULTS, isAction, VERSION } from '../../core/nodes/twin-state';
import { RED } from '../shared/red';

RED.nodes.registerType('twin-state', {
  category: 'digital twin',
  color: '#3FADB5',
  defaults: {
    name: { value: DEFAULTS.name },
    model: { value: DEFAULTS.model, type: 'twin-model', required: true },
    action: { value: DEFAULTS.action, validate: (v: string) => isAction(v) },
    twinId: { value: DEFAULTS.twinId, validate: RED.validators.typedInput('twinIdType') },
    twinIdType: { value: DEFAULTS.twinIdType },
    version: { value: VERSION },
  },
  inputs: 1,
  outputs: 3,
  icon: 'font-awesome/fa-clone',
  label: function (this: { name?: string; action?: string }) {
    return this.name || (this.action && this.action !== 'msg' ? `twin ${this.action}` : 'twin state');
  },
  labelStyle: function (this: { name?: string }) {
    return this.name ? 'node_label_italic' : '';
  },
  inputLabels: 'twin message',
  outputLabels: ['changed', 'delta', 'events'],
  paletteLabel: 'twin state',
  oneditprepare: function () {
    $('#node-input-twinId').typedInput({
      default: 'msg',
      types: ['msg', 'flow', 'global', 'str', 'env', 'jsonata'],
      typeField: '#node-input-twinIdType',
    });
  },
});
