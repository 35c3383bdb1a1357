import { DEFAULTS, URL_PATTERN, VERSION } from '../../core/nodes/twin-mqtt-broker';
import { messageValidator, RED, validation } from '../shared/red';

RED.nodes.registerType('twin-mqtt-broker', {
  category: 'config',
  defaults: {
    name: { value: DEFAULTS.name },
    url: {
      value: DEFAULTS.url,
      required: true,
      validate: messageValidator((v) =>
        validation(() => {
          if (!URL_PATTERN.test(v)) throw new Error('must look like mqtt://host:1883');
        }),
      ),
    },
    clientId: { value: DEFAULTS.clientId },
    protocolVersion: { value: String(DEFAULTS.protocolVersion) },
    tls: { value: DEFAULTS.tls, type: 'tls-config', required: false },
    version: { value: VERSION },
  },
  credentials: { user: { type: 'text' }, password: { type: 'password' } },
  label: function (this: { name?: string; url?: string }) {
    return this.name || this.url || 'MQTT broker';
  },
});
