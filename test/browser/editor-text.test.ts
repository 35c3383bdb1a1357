import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, readableText } from '../helpers/browser';
import { messageKeysIn, NODE_TYPES } from '../helpers/catalogues';
import { RuntimeProcess } from '../helpers/runtime-process';

const ROOT = join(__dirname, '..', '..');

declare const RED: {
  nodes: {
    import(nodes: object[]): unknown;
    getType(type: string): { category: string; defaults: Record<string, { value: unknown }> } | undefined;
    node(id: string): unknown;
    getNodeHelp(type: string): string;
  };
  workspaces: { active(): string };
  editor: {
    edit(node: unknown): void;
    editConfig(name: string, type: string, id: string, prefix: string): void;
  };
  sidebar: { show(id: string): void };
};

/** One documented message property: a `: name (type) : description` line of a node's help. */
interface Documented {
  name: string;
  type: string;
  description: string;
}

/** The `: name (type) : description` lines of a help text, as its author wrote them. */
function documentedProperties(help: string): Documented[] {
  return help
    .split('\n')
    .filter((line) => line.startsWith(': '))
    .map((line) => {
      const m = /^:\s*(.+?)\s*\((.+?)\)\s*:\s*(.*)$/.exec(line);
      assert.ok(m, `a property line that is not ": name (type) : description": ${line}`);
      return { name: m[1], type: m[2], description: m[3] };
    });
}

/** What a reader sees of a markdown fragment: code spans, emphasis and link targets dropped, spaces collapsed. */
const visible = (markdown: string): string =>
  markdown
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '')
    .replace(/\s+/g, ' ')
    .trim();

describe('browser: help and texts in the Node-RED editor', function () {
  this.timeout(120_000);
  let runtime: RuntimeProcess;
  let browser: Browser;
  let page: Page;

  before(async () => {
    runtime = await RuntimeProcess.start({ editor: true });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(runtime.url);
    await page.waitForSelector('.red-ui-palette-node[data-palette-type="twin-state"]', { timeout: 60_000 });
  });

  after(async () => {
    await browser?.close();
    await runtime?.stop();
  });

  describe("each node's help, rendered by Node-RED's own help renderer", () => {
    for (const type of NODE_TYPES) {
      it(`${type}: every documented message property shows its name, type and whole description`, async () => {
        const source = readFileSync(join(ROOT, 'src', 'locales', 'en-US', `${type}.html`), 'utf8');
        const documented = documentedProperties(source);
        assert.ok(
          documented.length > 0 || !/### (Inputs|Outputs)/.test(source),
          `${type} documents properties`,
        );
        const rendered = await page.evaluate((t) => {
          const box = document.createElement('div');
          box.innerHTML = RED.nodes.getNodeHelp(t);
          return Array.from(box.querySelectorAll('dl.message-properties dt')).map((dt) => {
            const typeSpan = dt.querySelector('.property-type');
            const dd = dt.nextElementSibling;
            return {
              name: (dt.firstChild?.textContent ?? '').trim(),
              type: (typeSpan?.textContent ?? '').trim(),
              description: dd?.tagName === 'DD' ? (dd.textContent ?? '').replace(/\s+/g, ' ').trim() : '',
            };
          });
        }, type);
        assert.deepEqual(
          rendered,
          documented.map((d) => ({
            name: visible(d.name),
            type: visible(d.type),
            description: visible(d.description),
          })),
        );
      });
    }
  });

  describe('no raw message key or [object …] in any text the editor shows', () => {
    const check = async (where: string, selector: string): Promise<void> => {
      const texts = await readableText(page, selector);
      assert.ok(texts.join('').length > 0, `${where} shows some text`);
      const found = texts.flatMap((t) => messageKeysIn(t));
      assert.deepEqual(found, [], `${where} shows raw message keys or objects`);
    };

    it('the palette', () => check('the palette', '#red-ui-palette-container-digital_twin'));

    for (const type of NODE_TYPES) {
      it(`${type}: its edit dialog`, async () => {
        const isConfig = await page.evaluate((t) => RED.nodes.getType(t)?.category === 'config', type);
        const ok = isConfig ? '#node-config-dialog-ok' : '#node-dialog-ok';
        const cancel = isConfig ? '#node-config-dialog-cancel' : '#node-dialog-cancel';
        await page.evaluate(
          ({ t, config }) => {
            if (config) {
              RED.editor.editConfig('', t, '_ADD_', 'node-input');
              return;
            }
            const id = `text-${t}`;
            const node: Record<string, unknown> = { id, type: t, x: 300, y: 100, z: RED.workspaces.active() };
            for (const [key, def] of Object.entries(RED.nodes.getType(t)?.defaults ?? {}))
              node[key] = def.value;
            RED.nodes.import([node]);
            RED.editor.edit(RED.nodes.node(id));
          },
          { t: type, config: isConfig },
        );
        await page.locator(ok).waitFor({ state: 'visible' });
        // Let the dialog's own scripts fill in what they build after opening (tables, typed inputs).
        await page.waitForTimeout(300);
        try {
          await check(`the ${type} edit dialog`, '.red-ui-tray');
        } finally {
          await page.locator(cancel).click();
          await page.locator(cancel).waitFor({ state: 'detached' });
        }
      });
    }

    it('the TwinFlow sidebar tab, with live twins', async () => {
      const example = JSON.parse(
        readFileSync(
          join(ROOT, 'examples', 'twin-state', '02 - Desired and reported loop with acknowledgement.json'),
          'utf8',
        ),
      ) as object[];
      const deployed = await runtime.deploy('sidebar', example);
      assert.equal(deployed.deployError, undefined);
      await page.evaluate(() => RED.sidebar.show('twinflow'));
      await page.locator('.twinflow-sidebar .twinflow-twin-id').first().waitFor({ timeout: 10_000 });
      await check('the TwinFlow sidebar', '.twinflow-sidebar');
    });
  });
});
