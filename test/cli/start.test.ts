import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';

const START = join(__dirname, '..', '..', 'scripts', 'start.mjs');

/** Runs `npm start -- <args>` (the script itself: the test run has built nodes/), to its exit. */
function start(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [START, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

async function occupy(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

describe('cli: npm start options', function () {
  this.timeout(30_000);

  for (const [option, what] of [
    ['--port', 'the Node-RED editor'],
    ['--opcua-port', "the virtual plant's OPC UA server"],
  ] as const) {
    it(`a port in use for ${option} is one line naming the option to change it`, async () => {
      const busy = await occupy();
      try {
        const free = await occupy();
        await new Promise((r) => free.server.close(r));
        const ports = { '--port': free.port, '--opcua-port': free.port };
        const args = Object.entries({ ...ports, [option]: busy.port }).flatMap(([o, p]) => [o, String(p)]);
        const { code, stderr } = await start(args);
        assert.equal(code, 1);
        const lines = stderr.trim().split('\n');
        assert.equal(lines.length, 1, stderr);
        assert.match(lines[0], new RegExp(`Port ${busy.port} .*${what}.*npm start -- ${option} \\d+`));
      } finally {
        await new Promise((r) => busy.server.close(r));
      }
    });
  }

  it('a port option that is not a port number is refused, naming the option', async () => {
    const { code, stderr } = await start(['--mqtt-port', 'eighty']);
    assert.equal(code, 2);
    assert.match(stderr.trim(), /^--mqtt-port must be a port number \(1 to 65535\), got eighty$/);
  });
});
