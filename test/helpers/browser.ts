import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium (CHROMIUM_PATH overrides); when it is not there, the Chromium shipped in @sparticuz/chromium. */
const SYSTEM_CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where browser tests leave their screenshots (kept as CI artifacts). */
export const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts', 'browser');

let packaged: Promise<string> | undefined;

/**
 * The Chromium to drive: the system one when present, otherwise the one inside the npm package, which unpacks itself
 * (from the package's own brotli files, no download) into the temp folder on first use.
 */
export function chromiumPath(): Promise<string> {
  if (existsSync(SYSTEM_CHROMIUM)) return Promise.resolve(SYSTEM_CHROMIUM);
  packaged ??= import('@sparticuz/chromium').then((m) => m.default.executablePath());
  return packaged;
}

export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  // The flags keep a headless root Chromium from reaching for the network this machine does not have; the GL ones
  // let the packaged build (made for machines without a GPU) draw with its own software renderer.
  return chromium.launch({
    executablePath: await chromiumPath(),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-gl=angle',
      '--use-angle=swiftshader',
      '--no-zygote',
    ],
  });
}

/** Every text a user can read in the elements a selector matches: their text, placeholders, titles, select options. */
export const readableText = (page: Page, selector: string): Promise<string[]> =>
  page.evaluate((sel) => {
    const texts: string[] = [];
    for (const root of Array.from(document.querySelectorAll<HTMLElement>(sel))) {
      texts.push(root.innerText);
      for (const el of Array.from(root.querySelectorAll('[placeholder], [title], option'))) {
        texts.push(el.getAttribute('placeholder') ?? '', el.getAttribute('title') ?? '');
        if (el.tagName === 'OPTION') texts.push(el.textContent ?? '');
      }
    }
    return texts.filter((t) => t.length > 0);
  }, selector);
