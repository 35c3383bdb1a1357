import { messageValidator, RED, validation } from '../shared/red';

RED.nodes.registerType('twin-opcua-endpoint', {
  category: 'config',
  defaults: {
    name: { value: '' },
    url: {
      value: 'opc.tcp://127.0.0.1:4840',
      required: true,
      validate: messageValidator((v) =>
        validation(() => {
          if (!/^opc\.tcp:\/\/[^\s/]+(:\d+)?(\/.*)?$/.test(v))
            throw new Error('must look like opc.tcp://host:port/path');
        }),
      ),
    },
    securityMode: { value: 'None' },
    securityPolicy: { value: 'None' },
    version: { value: 1 },
  },
  credentials: { user: { type: 'text' }, password: { type: 'password' } },
  label: function (this: { name?: string; url?: string }) {
    return this.name || this.url || 'OPC UA endpoint';
  },
});
