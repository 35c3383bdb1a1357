// A worker thread that GETs `${workerData.url}/flows` one request after another until it is sent any message, then
// posts { latencies (ms), failures }. One GET every 10 ms at most (an editor and a monitoring poll or two), not a
// flood that would itself be the load. Run from its own thread so the sender's work does not count. Used by
// test/interop/uns-burst.test.ts and bench/uns-burst.mjs.
import { parentPort, workerData } from 'node:worker_threads';

let running = true;
parentPort.on('message', () => (running = false));
const latencies = [];
let failures = 0;
while (running) {
  const start = performance.now();
  try {
    const res = await fetch(new URL('/flows', workerData.url));
    await res.arrayBuffer();
    if (!res.ok) failures++;
  } catch {
    failures++;
  }
  const took = performance.now() - start;
  latencies.push(took);
  if (took < 10) await new Promise((r) => setTimeout(r, 10 - took));
}
parentPort.postMessage({ latencies, failures });
