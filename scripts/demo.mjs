// The demo flows as `npm start` deploys them: every file of examples/demo on its own tab, with the plant's speed and
// seed applied. Shared by scripts/start.mjs, the dashboard browser test and the soak benchmark.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './runtime.mjs';

const DEMO_DIR = join(repoRoot, 'examples', 'demo');

/**
 * @param {object} [options]
 * @param {number} [options.speed] plant seconds per wall-clock second (default 1): the plant models' clock, the
 *   shadow model and the scheduled faults run `speed` times faster and OPC UA samples as often. Timestamps stay wall
 *   time (a plant step is stamped when it falls due, never ahead of the wall clock).
 * @param {number} [options.seed] added to every plant model's seed (default 0: the shipped runs).
 * @param {number} [options.opcuaPort] the virtual plant's OPC UA server port (default 4840, as shipped)
 * @param {number} [options.mqttPort] the UNS broker's port on 127.0.0.1 (default 1883, as shipped)
 * @returns {object[]} the flows: one tab per file, flow nodes on their tab, config nodes global
 */
export function demoFlows({ speed = 1, seed = 0, opcuaPort = 4840, mqttPort = 1883 } = {}) {
  if (!(speed > 0) || !Number.isFinite(speed))
    throw new Error(`speed must be a positive number, got ${speed}`);
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  return readdirSync(DEMO_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .flatMap((name) => {
      const label = name.replace(/\.json$/, '').replace(/^\d+ - /, '');
      const tab = `tab-${label.replace(/[^A-Za-z0-9]/g, '')}`.slice(0, 40);
      const nodes = JSON.parse(readFileSync(join(DEMO_DIR, name), 'utf8'));
      return [
        { id: tab, type: 'tab', label, disabled: false, info: '' },
        ...nodes.map((n) =>
          withPorts(withSpeedAndSeed('x' in n ? { ...n, z: tab } : n, speed, seed), opcuaPort, mqttPort),
        ),
      ];
    });
}

function withSpeedAndSeed(node, speed, seed) {
  // Repeating injects are the scheduled faults.
  if (node.type === 'inject' && node.repeat) return { ...node, repeat: String(Number(node.repeat) / speed) };
  // The plant's models (on their own clock) and the twins' shadow model, which follows the measurements' time.
  if (node.type === 'twin-sim' && node.mode === 'realtime') {
    return { ...node, speed: String(speed), seed: String(Number(node.seed) + seed) };
  }
  if (node.type === 'twin-sim' && node.mode === 'shadow') return { ...node, speed: String(speed) };
  if (node.type === 'twin-opcua-map' && speed !== 1) {
    const mapping = JSON.parse(node.mapping);
    for (const p of mapping.properties) {
      if (p.samplingInterval) p.samplingInterval = Math.max(50, Math.round(p.samplingInterval / speed));
    }
    return { ...node, mapping: JSON.stringify(mapping) };
  }
  return node;
}

/** The shipped flows use 4840 (OPC UA) and 1883 (MQTT) on loopback; `npm start --opcua-port/--mqtt-port` move them. */
function withPorts(node, opcuaPort, mqttPort) {
  if (node.type === 'twin-opcua-server') return { ...node, port: String(opcuaPort) };
  if (node.type === 'twin-opcua-endpoint')
    return { ...node, url: node.url.replace(':4840/', `:${opcuaPort}/`) };
  if (node.type === 'twin-mqtt-broker') return { ...node, url: node.url.replace(/:1883$/, `:${mqttPort}`) };
  return node;
}

/** Ids of every node the demo deploys (to replace them in an existing flow file). */
export function demoIds() {
  return new Set(demoFlows().map((n) => n.id));
}
