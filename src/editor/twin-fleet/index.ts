import { DEFAULTS, MIGRATIONS, parse } from '../../core/nodes/twin-fleet';
import { latestVersion } from '../../core/nodes/migrate';
import { RED, messageValidator, validation } from '../shared/red';

RED.nodes.registerType('twin-fleet', {
  category: 'digital twin',
  color: '#D8BFD8',
  defaults: {
    name: { value: DEFAULTS.name },
    broker: { value: DEFAULTS.broker, type: 'twin-mqtt-broker', required: true },
    model: { value: DEFAULTS.model, type: 'twin-model', required: true },
    role: { value: DEFAULTS.role },
    prefix: {
      value: DEFAULTS.prefix,
      required: true,
      validate: messageValidator((v) =>
        validation(() => {
          const r = parse({ prefix: v });
          if ('errors' in r) throw new Error(r.errors[0]);
        }),
      ),
    },
    member: { value: DEFAULTS.member },
    takeBack: { value: DEFAULTS.takeBack },
    lease: { value: DEFAULTS.lease, validate: RED.validators.number(false) },
    qos: { value: DEFAULTS.qos },
    version: { value: latestVersion(MIGRATIONS) },
  },
  inputs: 1,
  outputs: 2,
  icon: 'font-awesome/fa-server',
  label: function (this: { name?: string; role?: string; prefix?: string }) {
    return this.name || `fleet ${this.role ?? 'owner'} ${this.prefix ?? ''}`;
  },
  labelStyle: function (this: { name?: string }) {
    return this.name ? 'node_label_italic' : '';
  },
  inputLabels: 'twin changes (owner) or writes (mirror)',
  outputLabels: ['commands (desire) or answers', 'role or partition changes'],
  paletteLabel: 'twin fleet',
  oneditprepare: function () {
    const role = $('#node-input-role');
    role.on('change', () => $('.twin-fleet-member-row').toggle(String(role.val()) !== 'mirror'));
    role.trigger('change');
  },
});
