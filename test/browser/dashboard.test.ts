import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, launchChromium, readableText } from '../helpers/browser';
import { messageKeysIn } from '../helpers/catalogues';
import { TestBroker } from '../helpers/mqtt-broker';
import { freePort } from '../helpers/demo';
import { RuntimeProcess } from '../helpers/runtime-process';

/** The plant runs this many times faster than real time, so the detectors warm up in seconds. */
const SPEED = 10;

/**
 * The demo as `npm start` runs it (virtual plant on OPC UA, twins, detectors, the UNS bridge to a broker) and its
 * FlowFuse Dashboard 2.0 page, in headless Chromium; free ports, so it never collides with a running `npm start`.
 */
describe('browser: the demo dashboard at /dashboard', function () {
  this.timeout(180_000);
  let runtime: RuntimeProcess;
  let broker: TestBroker;
  let browser: Browser;
  let page: Page;
  let options: { opcuaPort: number; mqttPort: number };
  const pageErrors: string[] = [];

  before(async () => {
    broker = new TestBroker();
    await broker.start();
    options = { opcuaPort: await freePort(), mqttPort: broker.port };
    runtime = await RuntimeProcess.start({ editor: true });
    const result = await runtime.deployDemo(SPEED, options);
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

  it('shows a card per twin with live values, units and quality; counts as integers, no unit "1"', async () => {
    for (const twin of ['Pump01', 'Pump02', 'Pump03', 'Line1']) {
      await page.locator(`.tf-card[data-twin="${twin}"]`).waitFor({ timeout: 60_000 });
    }
    // Until the PLC has its first values, properties show with bad quality and no value.
    const flowCell = '.tf-card[data-twin="Pump01"] tr[data-property="flow"] .tf-value';
    // On a loaded machine the first OPC UA connection can take a few retries.
    await page.waitForFunction((sel) => Number(document.querySelector(sel)?.textContent) > 0, flowCell, {
      timeout: 60_000,
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
    const total = page.locator('.tf-card[data-twin="Line1"] tr[data-property="total"]');
    await total.waitFor({ timeout: 30_000 });
    assert.match(String(await total.locator('.tf-value').textContent()), /^\d+$/, 'a count is an integer');
    const units = await page.locator('.tf-card .tf-unit').allTextContents();
    assert.ok(!units.includes('1'), `no unit "1": ${units.join(', ')}`);
  });

  it('line OEE is availability x performance x quality', async () => {
    await page.waitForFunction(
      () => /\d/.test(document.querySelector('.tf-oee-value')?.textContent ?? ''),
      undefined,
      {
        timeout: 30_000,
      },
    );
    // Read at one instant: the plant runs at 10x and the figures move.
    const { oee, factors } = await page.evaluate(() => ({
      oee: document.querySelector('.tf-oee-value')?.textContent ?? '',
      factors: Array.from(document.querySelectorAll('.tf-bar-value')).map((e) => e.textContent ?? ''),
    }));
    const percent = (text: string): number => Number(/([\d.]+) %/.exec(text)?.[1]);
    assert.equal(factors.length, 3);
    const product = factors.map((f) => percent(f) / 100).reduce((a, b) => a * b, 1);
    // Each figure is shown rounded to 0.1 %: the product of the shown factors is within rounding of the OEE.
    assert.ok(Math.abs(percent(oee) - product * 100) <= 0.2, `OEE ${oee} = ${factors.join(' x ')}`);
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

  it("the legend's expected value lies inside its band, for every signal", async () => {
    const chips = page.locator('.tf-anomaly .tf-chip');
    const signals = ['flow', 'pressure', 'current', 'motorTemperature', 'vibration'];
    for (const signal of signals) {
      await chips.filter({ hasText: new RegExp(`^${signal}$`) }).click();
      const legend = String(await page.locator('.tf-legend').textContent()).replace(/\s+/g, ' ');
      const m = /expected (-?[\d.]+) \(band (-?[\d.]+) to (-?[\d.]+)\)/.exec(legend);
      assert.ok(m, `the legend names the expected value and band: ${legend}`);
      const [expected, lower, upper] = [m[1], m[2], m[3]].map(Number);
      assert.ok(lower <= expected && expected <= upper, `${signal}: ${legend}`);
    }
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
  });

  for (const width of [390, 820, 1440]) {
    it(`charts are never clipped at ${width} px wide: each drawing lies inside its svg, each svg inside its card`, async () => {
      await page.setViewportSize({ width, height: 1300 });
      await page.waitForTimeout(500);
      const charts = await page.evaluate(() =>
        Array.from(document.querySelectorAll('svg.tf-chart')).map((svg) => {
          const box = svg.getBoundingClientRect();
          const card = (svg.closest('.v-card') ?? svg.parentElement)!.getBoundingClientRect();
          const drawing = Array.from(svg.querySelectorAll('polyline, polygon, line, text'))
            .map((e) => e.getBoundingClientRect())
            .filter((r) => r.width > 0 || r.height > 0);
          return {
            name: svg.getAttribute('class'),
            box: { left: box.left, right: box.right, top: box.top, bottom: box.bottom, width: box.width },
            card: { left: card.left, right: card.right, top: card.top, bottom: card.bottom },
            drawing: {
              left: Math.min(...drawing.map((r) => r.left)),
              right: Math.max(...drawing.map((r) => r.right)),
              top: Math.min(...drawing.map((r) => r.top)),
              bottom: Math.max(...drawing.map((r) => r.bottom)),
            },
          };
        }),
      );
      await page.screenshot({ path: join(ARTIFACTS, `dashboard-${width}.png`), fullPage: true });
      assert.equal(charts.length, 2, 'the anomaly chart and the what-if chart are shown');
      const inside = (
        inner: { left: number; right: number; top: number; bottom: number },
        outer: { left: number; right: number; top: number; bottom: number },
      ): boolean =>
        inner.left >= outer.left - 1 &&
        inner.right <= outer.right + 1 &&
        inner.top >= outer.top - 1 &&
        inner.bottom <= outer.bottom + 1;
      for (const c of charts) {
        assert.ok(c.box.width > 100, `${c.name} has room to draw (${c.box.width} px)`);
        assert.ok(inside(c.drawing, c.box), `${c.name}: drawing ${JSON.stringify(c)} within its svg`);
        assert.ok(inside(c.box, c.card), `${c.name}: svg within its card ${JSON.stringify(c)}`);
      }
    });
  }

  it('a page that opens, or reloads, starts from the current state: alarm, values, quality, scores', async () => {
    await page.setViewportSize({ width: 1400, height: 1300 });
    const fresh = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
    fresh.on('pageerror', (err) => pageErrors.push(String(err)));
    try {
      for (const reload of [false, true]) {
        if (reload) await fresh.reload();
        else await fresh.goto(`${runtime.url}/dashboard`);
        const when = reload ? 'after a reload' : 'on opening';
        await fresh.locator('.tf-alarm-raise[data-twin="Pump01"]').first().waitFor({ timeout: 10_000 });
        assert.match(
          String(await fresh.locator('.tf-active').textContent()),
          /Pump01/,
          `active alarm ${when}`,
        );
        await fresh.locator('.tf-card-alarm[data-twin="Pump01"]').waitFor({ timeout: 5_000 });
        for (const twin of ['Pump01', 'Pump02', 'Pump03', 'Line1']) {
          const rows = fresh.locator(`.tf-card[data-twin="${twin}"] tr`);
          await rows.first().waitFor({ timeout: 5_000 });
          const values = await fresh.locator(`.tf-card[data-twin="${twin}"] .tf-value`).allTextContents();
          assert.ok(values.length > 0 && values.every((v) => v !== '-'), `${twin} values ${when}: ${values}`);
          const quality = await fresh.locator(`.tf-card[data-twin="${twin}"] .tf-quality`).allTextContents();
          assert.ok(
            quality.every((q) => ['good', 'uncertain', 'bad', 'stale'].includes(q)),
            `${quality}`,
          );
        }
        await fresh.locator('svg.tf-anomaly-chart').waitFor({ timeout: 5_000 });
        await fresh.locator('.tf-oee-value').waitFor({ timeout: 5_000 });
      }
    } finally {
      await fresh.close();
    }
  });

  it('shows no raw message key or [object …]', async () => {
    const found = (await readableText(page, 'body')).flatMap((t) => messageKeysIn(t));
    assert.deepEqual(found, []);
  });

  it('raised no script errors on the page', () => {
    assert.deepEqual(pageErrors, []);
  });
});
