import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, launchChromium } from '../helpers/browser';
import { TestBroker } from '../helpers/mqtt-broker';
import { RuntimeProcess } from '../helpers/runtime-process';

/** The plant runs this many times faster than real time, so the detectors warm up in seconds. */
const SPEED = 10;

/**
 * The demo as `npm start` runs it (virtual plant on OPC UA 127.0.0.1:4840, twins, detectors, the UNS bridge to a
 * broker on 1883) and its FlowFuse Dashboard 2.0 page, in headless Chromium.
 */
describe('browser: the demo dashboard at /dashboard', function () {
  this.timeout(180_000);
  let runtime: RuntimeProcess;
  let broker: TestBroker;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    // The demo publishes to 127.0.0.1:1883. A broker already there (a system mosquitto) serves as well as ours.
    broker = new TestBroker();
    await broker.start(1883).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EADDRINUSE') throw err;
    });
    runtime = await RuntimeProcess.start({ editor: true });
    const result = await runtime.deployDemo(SPEED);
    assert.deepEqual(
      result.missing,
      [],
      'every node type of the demo, the dashboard widgets included, is installed',
    );
    assert.equal(result.deployError, undefined);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    await page.goto(`${runtime.url}/dashboard`);
  });

  after(async () => {
    await browser?.close();
    await runtime?.stop();
    await broker?.stop();
  });

  it('shows a card per twin with live values, units and quality', async () => {
    for (const twin of ['Pump01', 'Pump02', 'Pump03', 'Line1']) {
      await page.locator(`.tf-card[data-twin="${twin}"]`).waitFor({ timeout: 60_000 });
    }
    // Until the PLC has its first values, properties show with bad quality and no value.
    const flowCell = '.tf-card[data-twin="Pump01"] tr[data-property="flow"] .tf-value';
    await page.waitForFunction((sel) => Number(document.querySelector(sel)?.textContent) > 0, flowCell, {
      timeout: 30_000,
    });
    const flow = page.locator('.tf-card[data-twin="Pump01"] tr[data-property="flow"]');
    const first = Number(await flow.locator('.tf-value').textContent());
    assert.ok(first > 10 && first < 200, `Pump01 flow ${first} m3/h is a live plant value`);
    assert.equal(await flow.locator('.tf-unit').textContent(), 'm3/h');
    assert.equal(await flow.locator('.tf-quality').textContent(), 'good');
    // Live: the value changes as the plant runs (it carries measurement noise).
    await page.waitForFunction(
      (before) => {
        const cell = document.querySelector(
          '.tf-card[data-twin="Pump01"] tr[data-property="flow"] .tf-value',
        );
        return cell !== null && Number(cell.textContent) !== before;
      },
      first,
      { timeout: 20_000 },
    );
    await page.locator('.tf-oee-value').waitFor({ timeout: 30_000 });
    assert.match(String(await page.locator('.tf-oee-value').textContent()), /^\d+(\.\d)? %$/);
  });

  it('raises an alarm after a fault is injected from the dashboard, within the time the detector needs', async () => {
    // The pump health detector learns normal behaviour first (60 samples); then the fault.
    await page.waitForFunction(
      () => {
        const legend = document.querySelector('.tf-legend');
        return legend !== null && !legend.textContent?.includes('warming up');
      },
      undefined,
      { timeout: 90_000 },
    );
    assert.equal(await page.locator('.tf-alarm-raise').count(), 0, 'no alarm before the fault');
    const injected = Date.now();
    await page.locator('.tf-fault[data-fault="valve closing (Pump01)"]').click();
    // Raise after 3 of 5 samples above the threshold: a few plant seconds plus the OPC UA sampling.
    await page.locator('.tf-alarm-raise[data-twin="Pump01"]').first().waitFor({ timeout: 30_000 });
    const seconds = (Date.now() - injected) / 1000;
    console.log(`      alarm on the dashboard ${seconds.toFixed(1)} s after the fault (plant at ${SPEED}x)`);
    await page.locator('.tf-card-alarm[data-twin="Pump01"]').waitFor({ timeout: 5_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-alarm.png'), fullPage: true });
  });

  it('what-if: forks a pump model at a higher speed and shows the predicted motor temperature', async () => {
    await page.locator('.tf-whatif select').selectOption('Pump02');
    await page.locator('.tf-speed').fill('120');
    await page.locator('.tf-predict').click();
    await page.locator('.tf-predicted').waitFor({ timeout: 20_000 });
    const text = String(await page.locator('.tf-result').textContent());
    const [scenario, baseline] = [...text.matchAll(/(\d+\.\d) degC/g)].map((m) => Number(m[1]));
    assert.ok(
      scenario > baseline,
      `120 % speed runs hotter (${scenario} degC) than unchanged (${baseline} degC)`,
    );
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    if (process.env.TWINFLOW_DOCS_SCREENSHOTS) {
      copyFileSync(join(ARTIFACTS, 'dashboard.png'), join(__dirname, '..', '..', 'docs', 'dashboard.png'));
    }
    assert.deepEqual(pageErrors, [], 'no script errors on the page');
  });
});
