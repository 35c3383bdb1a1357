import assert from 'node:assert/strict';
import { createEngine, engineInit, engineUpdate, readSignals } from '../../../src/core/anomaly/engine';
import { DETECTOR_NAMES } from '../../../src/core/anomaly/registry';
import { parse } from '../../../src/core/nodes/twin-anomaly';

const DETECTORS = DETECTOR_NAMES;

describe('anomaly: the expected value a detector reports lies inside its band (what a chart draws)', () => {
  for (const detector of DETECTORS) {
    it(`${detector}: before, during and after a fault`, () => {
      const spec = parse({ detector });
      if ('errors' in spec) throw spec.error;
      const config = createEngine(spec.config.engine);
      let state = engineInit(config);
      let seed = 7;
      const noise = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.2;
      let checked = 0;
      for (let i = 0; i < 600; i++) {
        const load = 1 + 0.1 * Math.sin(i / 20) + noise();
        // From sample 400 on, a valve closes: the flow drops and the current follows, off their usual relation.
        const fault = i >= 400 ? 0.6 : 1;
        const payload = {
          flow: 50 * load * fault,
          current: 10 * load + noise(),
          pressure: 3 - load + noise(),
        };
        const now = 1_000_000 + i * 1000;
        const inputs = readSignals(payload, config, 'value', now);
        const step = engineUpdate(state, inputs, config, now, true);
        state = step.state;
        for (const [name, s] of Object.entries(step.result.signals)) {
          if (![s.expected, s.lower, s.upper].every(Number.isFinite)) continue;
          assert.ok(
            s.lower <= s.expected && s.expected <= s.upper,
            `sample ${i}, ${name}: expected ${s.expected} outside [${s.lower}, ${s.upper}]`,
          );
          checked++;
        }
      }
      assert.ok(checked > 0, 'some samples had a band');
    });
  }
});
