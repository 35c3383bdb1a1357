import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface LogEntry {
  level: number;
  msg: string;
  type?: string;
}

export interface DeployResult {
  missing: string[];
  notStarted: string[];
  deployError?: string;
  logs: LogEntry[];
}

export interface SentMessage {
  id: string;
  port: number;
  topic?: unknown;
  payload?: unknown;
  /** Wall-clock epoch ms in the runtime when it was sent. */
  time: number;
}

/** A real Node-RED runtime in a child process (see runtime-worker.mjs). */
export class RuntimeProcess {
  private readonly waiting: ((m: { cmd: string } & Record<string, unknown>) => void)[] = [];
  url = '';

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: { cmd: string } & Record<string, unknown>) => this.waiting.shift()?.(m));
  }

  static async start(options: { editor?: boolean } = {}): Promise<RuntimeProcess> {
    const child = fork(join(__dirname, 'runtime-worker.mjs'), [JSON.stringify(options)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const runtime = new RuntimeProcess(child);
    const ready = await new Promise<{ url?: string }>((resolve, reject) => {
      runtime.waiting.push(resolve as (m: unknown) => void);
      child.once('error', reject);
      child.once('exit', (code) =>
        reject(new Error(`the Node-RED runtime exited with ${code} before it was ready`)),
      );
    });
    runtime.url = ready.url ?? '';
    return runtime;
  }

  private request<T>(message: object): Promise<T> {
    return new Promise((resolve) => {
      this.waiting.push(resolve as (m: unknown) => void);
      this.child.send(message);
    });
  }

  /** The child's process id (to read its memory from /proc). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  deploy(name: string, flows: object[], runMs?: number): Promise<DeployResult> {
    return this.request({ cmd: 'deploy', name, flows, runMs });
  }

  /**
   * Deploys the demo flows as `npm start` does, with the virtual plant at `speed` times real time, on the given ports,
   * with every staleness multiplied by `staleScale` and the nodes in `disabled` disabled; `deploymentType` 'nodes'
   * restarts only what changed, as the editor's default deploy does.
   */
  deployDemo(
    speed = 1,
    options: {
      opcuaPort?: number;
      mqttPort?: number;
      staleScale?: number;
      disabled?: string[];
      deploymentType?: 'full' | 'nodes';
    } = {},
  ): Promise<DeployResult> {
    return this.request({ cmd: 'deployDemo', speed, ...options });
  }

  /** Records from now on what the nodes with these ids send (see sent()). */
  async watch(ids: string[]): Promise<void> {
    await this.request({ cmd: 'watch', ids });
  }

  /** What the watched nodes sent since watch() or the last call, oldest first. */
  async sent(): Promise<SentMessage[]> {
    return (await this.request<{ sent: SentMessage[] }>({ cmd: 'sent' })).sent;
  }

  /** Warnings and errors logged since the last deploy or the last call. */
  async logs(): Promise<LogEntry[]> {
    return (await this.request<{ logs: LogEntry[] }>({ cmd: 'logs' })).logs;
  }

  /** The longest event-loop delay inside the runtime's process since the last call, in ms (then reset). */
  async loopDelay(): Promise<number> {
    return (await this.request<{ maxMs: number }>({ cmd: 'loopDelay' })).maxMs;
  }

  /** True while the child process runs. */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(): Promise<void> {
    if (!this.child.connected) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ cmd: 'stop' });
    await exited;
  }
}
