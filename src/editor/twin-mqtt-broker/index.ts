import { messageValidator, RED, validation } from '../shared/red';

RED.nodes.registerType('twin-mqtt-broker', {
  category: 'config',
  defaults: {
    name: { value: '' },
    url: {
      value: 'mqtt://127.0.0.1:1883',
      required: true,
      validate: messageValidator((v) =>
        validation(() => {
          if (!/^(mqtts?|wss?|tcp|tls):\/\/[^\s]+$/.test(v))
            throw new Error('must look like mqtt://host:1883');
        }),
      ),
    },
    clientId: { value: '' },
    protocolVersion: { value: '5' },
    version: { value: 1 },
  },
  credentials: { user: { type: 'text' }, password: { type: 'password' } },
  label: function (this: { name?: string; url?: string }) {
    return this.name || this.url || 'MQTT broker';
  },
});
