import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's mosquitto, as .ci/run installs it; MOSQUITTO_PATH overrides. */
export const MOSQUITTO = process.env.MOSQUITTO_PATH ?? '/usr/sbin/mosquitto';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A real mosquitto 2 (MQTT 5 and 3.1.1) on a free loopback port, started by the test and stoppable and restartable on
 * the same port, with no persistence: like TestBroker (aedes), a restart loses retained messages.
 */
export class MosquittoBroker {
  private child?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'twinflow-mosquitto-'));
  port = 0;

  /**
   * `listenerOptions`: lines for the listener (TLS files, require_certificate, password_file...), `scheme` of the URL
   * ("mqtts" for a TLS listener).
   */
  constructor(
    private readonly listenerOptions: string[] = [],
    private readonly scheme = 'mqtt',
  ) {}

  async start(port = 0): Promise<string> {
    if (!existsSync(MOSQUITTO)) {
      throw new Error(
        `${MOSQUITTO} is missing: install Debian's mosquitto (apt-get install mosquitto), as .ci/run does`,
      );
    }
    this.port = port || (await freePort());
    const conf = join(this.dir, 'mosquitto.conf');
    writeFileSync(
      conf,
      [
        `listener ${this.port} 127.0.0.1`,
        ...this.listenerOptions,
        ...(this.listenerOptions.some((l) => l.startsWith('allow_anonymous'))
          ? []
          : ['allow_anonymous true']),
        'persistence false',
        'log_dest none',
        '',
      ].join('\n'),
    );
    const child = spawn(MOSQUITTO, ['-c', conf], { stdio: 'ignore' });
    this.child = child;
    const deadline = Date.now() + 10_000;
    while (!(await accepting(this.port))) {
      if (child.exitCode !== null) throw new Error(`mosquitto exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error('mosquitto did not start listening within 10 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.url;
  }

  get url(): string {
    return `${this.scheme}://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
