/**
 * The built page carries its own Content-Security-Policy: the desktop window loads it from
 * file://, where no response header applies. Opened from disk in real Chromium (with file://
 * access, as Electron grants its pages), the page's own scripts run and injected ones do not.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM } from '../helpers/browser';

const page = resolve('out', 'renderer', 'index.html');

describe('the window page from disk', () => {
  let browser: Browser;
  before(async () => {
    assert.ok(existsSync(page), 'the renderer is built (npm run build)');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--allow-file-access-from-files'],
    });
  });
  after(async () => browser?.close());

  it('holds the policy in a meta tag that allows its own scripts and refuses injected ones', async () => {
    const html = readFileSync(page, 'utf8');
    assert.match(html, /http-equiv="Content-Security-Policy"/);
    assert.match(html, /script-src 'self'/);
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    await tab.goto(pathToFileURL(page).href);
    // React ran: the root has content (the window shows it is not connected to an engine)
    await tab.waitForFunction(
      () => (document.getElementById('root')?.childElementCount ?? 0) > 0,
      undefined,
      {
        timeout: 10_000,
      },
    );
    const refused = await tab.evaluate(
      () =>
        new Promise<string>((done) => {
          document.addEventListener('securitypolicyviolation', (e) => done(e.violatedDirective));
          const s = document.createElement('script');
          s.textContent = 'window.__injected = true';
          document.body.appendChild(s);
          setTimeout(() => done('none'), 2000);
        }),
    );
    assert.match(refused, /script-src/);
    assert.equal(
      await tab.evaluate(() => (window as { __injected?: boolean }).__injected),
      undefined,
    );
    assert.deepEqual(
      errors.filter((e) => /Content Security Policy/.test(e)),
      [],
    );
  });
});
