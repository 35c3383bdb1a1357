// npm run bench:fleet: the issue 22 fleet on this machine. Three Node-RED owners (10,000 twins each by default), a
// standby, a mirror of all of them, mosquitto on loopback; reports updates per second per instance and through the
// broker, mirror lag p50/p99, memory per mirrored twin, and the take-over time after kill -9 of an owner.
// Runs bundled from bench/.build. Writes bench/results/fleet.tmp/fleet.json, or bench/results/fleet.json with --save. A benchmark, not a test.
//   --twins N (per partition)  --rate N (reports/s per owner)  --steady S (seconds)  --commands N  --save
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runFleet } from '../test/helpers/fleet-scenario';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

async function main(): Promise<void> {
  const options = {
    twinsPerPartition: arg('twins', 10_000),
    ratePerOwner: arg('rate', 3334),
    steadyMs: arg('steady', 20) * 1000,
    commands: arg('commands', 600),
    log: (text: string) => console.log(text),
  };
  const started = Date.now();
  const r = await runFleet(options);
  const report = {
    date: new Date().toISOString(),
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    options: { ...options, log: undefined },
    target: { updatesPerSecond: 3 * options.ratePerOwner, twins: 3 * options.twinsPerPartition },
    mirror: {
      twins: r.mirroredTwins,
      fillSeconds: r.fillMs / 1000,
      updatesPerSecondThroughBroker: Math.round(r.steady.perSecond),
      updatesPerSecondPerInstance: Object.fromEntries(
        Object.entries(r.steady.perPartition).map(([p, v]) => [p, Math.round(v)]),
      ),
      lagMs: r.lag,
      heapBytesPerMirroredTwin: Math.round(r.memory.heapPerTwinBytes),
      rssBytes: r.memory.mirrorRssBytes,
    },
    takeover: r.takeover,
    commands: r.commands,
    versions: r.versions,
    runSeconds: (Date.now() - started) / 1000,
  };
  console.log(JSON.stringify(report, null, 2));
  const dir = process.argv.includes('--save')
    ? join(__dirname, '..', 'results')
    : join(__dirname, '..', 'results', 'fleet.tmp');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'fleet.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`written to ${join(dir, 'fleet.json')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
