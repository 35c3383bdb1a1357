// The demo's MQTT broker: aedes in this process on 127.0.0.1:<port>. Used by `npm start` and the soak benchmark.
import { createServer } from 'node:net';

/**
 * Starts aedes on the loopback port, or returns undefined when something already listens there (that broker serves
 * the demo as well); other errors are thrown.
 * @returns {Promise<{ stop: () => Promise<void> } | undefined>}
 */
export async function startLoopbackBroker(port = 1883) {
  const { Aedes } = await import('aedes');
  const aedes = await Aedes.createBroker();
  const server = createServer(aedes.handle);
  try {
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
  } catch (err) {
    await new Promise((resolve) => aedes.close(resolve));
    if (err.code === 'EADDRINUSE') return undefined;
    throw err;
  }
  return {
    stop: async () => {
      await new Promise((resolve) => aedes.close(resolve));
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
