import { DEFAULTS, URL_PATTERN, VERSION } from '../../core/nodes/twin-opcua-endpoint';
import { messageValidator, RED, validation } from '../shared/red';

RED.nodes.registerType('twin-opcua-endpoint', {
  category: 'config',
  defaults: {
    name: { value: DEFAULTS.name },
    url: {
      value: DEFAULTS.url,
      required: true,
      validate: messageValidator((v) =>
        validation(() => {
          if (!URL_PATTERN.test(v)) throw new Error('must look like opc.tcp://host:port/path');
        }),
      ),
    },
    securityMode: { value: DEFAULTS.securityMode },
    securityPolicy: { value: DEFAULTS.securityPolicy },
    connectTimeout: { value: DEFAULTS.connectTimeout, validate: RED.validators.number(false) },
    maxRetryDelay: { value: DEFAULTS.maxRetryDelay, validate: RED.validators.number(false) },
    version: { value: VERSION },
  },
  credentials: { user: { type: 'text' }, password: { type: 'password' } },
  label: function (this: { name?: string; url?: string }) {
    return this.name || this.url || 'OPC UA endpoint';
  },
});
