import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, launchChromium } from '../helpers/browser';
import { demoId, freePort, plcTwins, until } from '../helpers/demo';
import { TestBroker } from '../helpers/mqtt-broker';
import { RuntimeProcess, type SentMessage } from '../helpers/runtime-process';

/** The plant at 10x, as in the dashboard test. */
const SPEED = 10;
/** Every staleness of the demo's twin models times this (10 s -> 5 s, 30 s -> 15 s), so the walkthrough is short. */
const STALE_SCALE = 0.5;
/** README step 3's promises: bad within this after the PLC goes off, fresh within this after it comes back. */
const WITHIN_MS = 2000;

const PLC = demoId('plc');
const TWINS = plcTwins();

type Sample = { quality?: string; stale?: boolean };
type TwinEvent = { event: string; twin: string; property?: string; time: number };

/**
 * README, "What to try first", step 3, as a user does it in the editor: disable the PLC node and deploy (only the
 * modified node restarts); every property of every twin read from it turns bad quality within 2 s, then stale after
 * its configured staleness, and stays so (no flapping) while the PLC is off; the dashboard shows both. Enable it and
 * deploy: every property is fresh and good within 2 s.
 */
/** Whether something on loopback accepts a TCP connection on `port` (closed again at once). */
const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

describe('browser: the README walkthrough, the PLC off and on again', function () {
  this.timeout(180_000);
  let runtime: RuntimeProcess;
  let broker: TestBroker;
  let browser: Browser;
  let page: Page;
  let options: { opcuaPort: number; mqttPort: number; staleScale: number };
  let seen: SentMessage[] = [];
  let offAt = 0;
  let allStaleAt = 0;

  const more = async (): Promise<void> => {
    seen = seen.concat(await runtime.sent());
  };
  /** Each twin's latest state from twin-state's first output (its payload holds every reported property). */
  const latest = (since: number): Map<string, Record<string, Sample>> => {
    const byTwin = new Map<string, Record<string, Sample>>();
    for (const m of seen)
      if (m.port === 0 && m.time >= since && typeof m.topic === 'string')
        byTwin.set(m.topic, m.payload as Record<string, Sample>);
    return byTwin;
  };
  /** twin-state's third output: stale, fresh, twin-stale, twin-fresh. */
  const events = (since: number): TwinEvent[] =>
    seen
      .filter((m) => m.port === 2 && m.time >= since)
      .map((m) => ({ ...(m.payload as Omit<TwinEvent, 'time'>), time: m.time }));
  const staleMs = (ms: number): number => ms * STALE_SCALE;
  const everyProperty = (test: (twin: string, property: string, sample: Sample | undefined) => boolean) => {
    const now = latest(offAt);
    return TWINS.every(({ twin, properties }) =>
      Object.keys(properties).every((p) => test(twin, p, now.get(twin)?.[p])),
    );
  };

  before(async () => {
    broker = new TestBroker();
    await broker.start();
    options = { opcuaPort: await freePort(), mqttPort: broker.port, staleScale: STALE_SCALE };
    runtime = await RuntimeProcess.start({ editor: true });
    await runtime.watch([...new Set(TWINS.map((t) => t.stateNode))]);
    const result = await runtime.deployDemo(SPEED, options);
    assert.equal(result.deployError, undefined);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
    await page.goto(`${runtime.url}/dashboard`);
    // Running: every twin from the PLC has good values.
    await until('every twin good before the walkthrough', 60_000, async () => {
      await more();
      const now = latest(0);
      return TWINS.every(({ twin, properties }) =>
        Object.keys(properties).every((p) => now.get(twin)?.[p]?.quality === 'good'),
      );
    });
  });

  after(async () => {
    await browser?.close();
    await runtime?.stop();
    await broker?.stop();
  });

  it('PLC off: every property of every twin it feeds is bad within 2 s, and the dashboard shows it', async () => {
    await more();
    offAt = Date.now();
    const result = await runtime.deployDemo(SPEED, { ...options, disabled: [PLC], deploymentType: 'nodes' });
    assert.equal(result.deployError, undefined);
    await until('every property bad', WITHIN_MS, async () => {
      await more();
      return everyProperty((_t, _p, sample) => sample?.quality === 'bad');
    });
    await page.waitForFunction(
      () => {
        const q = Array.from(document.querySelectorAll('.tf-card[data-twin="Pump01"] .tf-quality'));
        return q.length > 0 && q.every((e) => e.textContent === 'bad' || e.textContent === 'stale');
      },
      undefined,
      { timeout: WITHIN_MS },
    );
    await page.screenshot({ path: join(ARTIFACTS, 'walkthrough-plc-off-bad.png'), fullPage: true });
  });

  it('then each property goes stale after its configured staleness (the twin too), shown on the dashboard', async () => {
    const expected = TWINS.flatMap(({ twin, properties, twinStaleAfter }) => [
      ...Object.keys(properties)
        .filter((p) => properties[p] > 0)
        .map((p) => ({ key: `${twin}.${p}`, after: staleMs(properties[p]) })),
      ...(twinStaleAfter > 0 ? [{ key: `${twin} (twin)`, after: staleMs(twinStaleAfter) }] : []),
    ]);
    const staleAt = (): Map<string, number> => {
      const at = new Map<string, number>();
      for (const e of events(offAt)) {
        const key = e.event.startsWith('twin-') ? `${e.twin} (twin)` : `${e.twin}.${e.property}`;
        if (e.event === 'stale' || e.event === 'twin-stale') at.set(key, e.time);
        if (e.event === 'fresh' || e.event === 'twin-fresh') at.delete(key);
      }
      return at;
    };
    const longest = Math.max(...expected.map((e) => e.after));
    // A twin's own staleness counts from its last report, which is the bad one sent when the outage was noticed
    // (up to a few seconds after the PLC went off when the connection times out rather than being refused).
    await until(
      'every property with a staleness stale',
      longest + 6000,
      async () => {
        await more();
        const at = staleAt();
        return expected.every((e) => at.has(e.key));
      },
      () => `missing: ${expected.filter((e) => !staleAt().has(e.key)).map((e) => e.key)}`,
    );
    allStaleAt = Date.now();
    const at = staleAt();
    for (const e of expected) {
      // Not before its staleness: the last good value came at most when the PLC went off.
      const after = (at.get(e.key) ?? 0) - offAt;
      assert.ok(
        after >= e.after - 1000,
        `${e.key} stale ${after} ms after the PLC went off (staleness ${e.after})`,
      );
    }
    await page.waitForFunction(
      () =>
        document.querySelector('.tf-card[data-twin="Pump01"] tr[data-property="flow"] .tf-quality')
          ?.textContent === 'stale',
      undefined,
      { timeout: 3000 },
    );
    await page.screenshot({ path: join(ARTIFACTS, 'walkthrough-plc-off-stale.png'), fullPage: true });
  });

  it('no flapping while the PLC stays off: nothing turns fresh or good again', async () => {
    // Long enough for several attempts to reconnect to the PLC (1 s, 2 s, 4 s, 8 s apart).
    await new Promise((r) => setTimeout(r, 16_000));
    await more();
    const flaps = events(offAt)
      .filter((e) => e.event === 'fresh' || e.event === 'twin-fresh')
      .map((e) => `${e.twin}${e.property ? `.${e.property}` : ''} ${e.event} ${e.time - offAt} ms after off`);
    for (const [twin, props] of latest(allStaleAt))
      for (const [p, sample] of Object.entries(props))
        if (sample.quality !== 'bad') flaps.push(`${twin}.${p} ${sample.quality}`);
    assert.deepEqual(flaps, []);
  });

  it('PLC on: every property is fresh and good within 2 s', async () => {
    const deployAt = Date.now();
    const result = await runtime.deployDemo(SPEED, { ...options, deploymentType: 'nodes' });
    assert.equal(result.deployError, undefined);
    // The PLC is on once its OPC UA server accepts connections (node-opcua starts it after the deploy returns): the
    // 2 s count from then, as for a PLC that comes back (until's deadline); values published since the deploy count.
    await until('the PLC accepts connections', 10_000, () => accepts(options.opcuaPort));
    await until('every property good and fresh', WITHIN_MS, async () => {
      await more();
      const now = latest(deployAt);
      return TWINS.every(({ twin, properties }) =>
        Object.keys(properties).every(
          (p) => now.get(twin)?.[p]?.quality === 'good' && !now.get(twin)?.[p]?.stale,
        ),
      );
    });
    await page.waitForFunction(
      () => {
        const q = Array.from(document.querySelectorAll('.tf-card[data-twin="Pump01"] .tf-quality'));
        return q.length > 0 && q.every((e) => e.textContent === 'good');
      },
      undefined,
      { timeout: WITHIN_MS },
    );
  });
});
