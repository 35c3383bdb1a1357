import { Aedes, type AedesOptions } from 'aedes';
import { createServer, type Server } from 'node:net';

/**
 * A real MQTT 3.1.1 broker (aedes) in-process on a loopback port, stoppable and restartable on the same port for
 * broker-outage tests. Each start is a fresh broker: retained messages do not survive a restart.
 */
export class TestBroker {
  private server?: Server;
  private broker?: Aedes;
  port = 0;

  /** `options`: aedes options, e.g. an authorizePublish that refuses some topics. */
  constructor(private readonly options: AedesOptions = {}) {}

  async start(port = 0): Promise<string> {
    const broker = await Aedes.createBroker(this.options);
    const server = createServer(broker.handle);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.broker = broker;
    this.server = server;
    this.port = (server.address() as { port: number }).port;
    return this.url;
  }

  /**
   * Cuts the network connection of every client whose id ends with `suffix`, without a DISCONNECT: to the broker it
   * is a lost client, so its will is published.
   */
  dropClients(suffix: string): number {
    const clients =
      (this.broker as unknown as { clients: Record<string, { conn: { destroy(): void } }> })?.clients ?? {};
    const ids = Object.keys(clients).filter((id) => id.endsWith(suffix));
    for (const id of ids) clients[id].conn.destroy();
    return ids.length;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** Stops it for good (the same as stop: nothing is kept on disk). */
  dispose(): Promise<void> {
    return this.stop();
  }

  async stop(): Promise<void> {
    const server = this.server;
    const broker = this.broker;
    this.server = undefined;
    this.broker = undefined;
    await new Promise<void>((resolve) => (broker ? broker.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}
