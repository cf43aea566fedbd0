/**
 * The headless UI end to end: a real engine on real repositories behind `ferry webapp`'s server,
 * Debian's Chromium driven by Playwright. A folder added through the UI syncs to a second clone;
 * a transfer shows progress and is paused and resumed from the queue; the map shows the
 * repositories with the least-cost routes; the token keeps others out. Screenshots of each view
 * go to test-output/screenshots.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { startWebapp, type Webapp } from '../../src/cli/webapp';
import { launchChromium, screenshotDir } from '../helpers/browser';
import { ferryOk, git, gitAsync, tempDir } from '../helpers/repos';
import { waitFor } from '../helpers/wait';
import { bytes } from '../helpers/data';

describe('the web UI on a real engine', () => {
  const tmp = tempDir();
  let app: Webapp;
  let browser: Browser;
  let page: Page;
  const shots = screenshotDir();
  const a = join(tmp.path, 'A');
  const b = join(tmp.path, 'B');
  const c = join(tmp.path, 'C');
  const d = join(tmp.path, 'D');
  const logs: string[] = [];
  /** What the engine logged and shows, for a failure's message. */
  const explain = async (e: unknown): Promise<Error> => {
    const snap = await app.engine.handlers().snapshot();
    return new Error(
      `${e instanceof Error ? e.message : String(e)}\nengine log:\n${logs.slice(-40).join('\n')}\nactivity:\n${snap.activity
        .slice(-20)
        .map((x) => `${new Date(x.at).toISOString()} ${x.text}`)
        .join(
          '\n',
        )}\ntransfers: ${JSON.stringify(snap.transfers.map((t) => [t.file, t.remote, t.state, t.reason]))}`,
    );
  };

  before(async () => {
    mkdirSync(a);
    writeFileSync(join(a, 'README.txt'), 'laptop\n');
    await ferryOk(a, 'init', 'laptop');
    await ferryOk(a, 'add', '.');
    git(tmp.path, 'clone', '-q', a, b);
    git(tmp.path, 'clone', '-q', a, c);
    await ferryOk(b, 'init', 'usb drive');
    await ferryOk(c, 'init', 'backup');
    git(a, 'remote', 'add', 'usb', b);
    git(a, 'remote', 'add', 'backup', c);
    git(a, 'config', 'remote.backup.annex-cost', '1000');
    git(b, 'remote', 'add', 'backup', c);
    // a phone's clone that the laptop has heard of but does not sync with yet
    git(tmp.path, 'clone', '-q', a, d);
    git(d, 'remote', 'remove', 'origin');
    await ferryOk(d, 'init', 'phone');
    git(a, 'remote', 'add', 'once', d);
    await ferryOk(a, 'sync', 'once');
    git(a, 'remote', 'remove', 'once');
    process.env.FERRY_STATE_DIR = join(tmp.path, 'state');
    app = await startWebapp({
      cwd: tmp.path,
      folders: [],
      drives: false,
      log: (m) => logs.push(`${new Date().toISOString()} ${m}`),
      quietMs: 100,
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
    delete process.env.FERRY_STATE_DIR;
    tmp.cleanup();
  });

  it('keeps out a browser without the token', async () => {
    const r = await page.goto(app.server.url.replace(/\?token=.*/, ''));
    assert.equal(r?.status(), 403);
    const wrong = await page.goto(app.server.url.replace(/token=.*/, 'token=guess'));
    assert.equal(wrong?.status(), 403);
    // odd requests get an answer, not a crash
    const odd = await fetch(app.server.url.replace('/?', '/%E0%A4%A?'));
    assert.equal(odd.status, 400);
    const escape = await fetch(app.server.url.replace('/?', '/..%2F..%2Fpackage.json?'));
    assert.equal(escape.status, 404);
    // a page on another name that resolves here (DNS rebinding) is refused
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = httpGet(app.server.url, { headers: { Host: 'attacker.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
    });
    assert.equal(status, 421);
    // the socket wants the key and a page of this server as its origin
    const wsUrl = app.server.url.replace('http://', 'ws://').replace('/?', '/ws?');
    const opens = (url: string, origin: string): Promise<boolean> =>
      new Promise((resolve) => {
        const ws = new WebSocket(url, { origin });
        ws.on('open', () => {
          ws.close();
          resolve(true);
        });
        ws.on('error', () => resolve(false));
      });
    const own = new URL(app.server.url).origin;
    assert.equal(await opens(wsUrl, own), true);
    assert.equal(await opens(wsUrl, 'http://attacker.example'), false);
    assert.equal(await opens(wsUrl.replace(/token=.*/, 'token=guess'), own), false);
  });

  it('a folder added through the UI syncs to a second clone', async () => {
    await page.goto(app.server.url);
    await page.getByText('No folders are synced yet.').waitFor();
    await page.screenshot({ path: join(shots, 'folders-empty.png'), fullPage: true });
    await page.getByLabel('Folder path').fill(a);
    await page.getByRole('button', { name: 'Sync this folder' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Syncing ${a}` })
      .waitFor();
    await page.locator('ul[aria-label="Repositories"] h3', { hasText: 'laptop' }).waitFor();
    writeFileSync(join(a, 'from-the-ui.txt'), 'added after the folder was added in the UI\n');
    await waitFor(
      'the new file reached the second clone',
      async () =>
        (
          await gitAsync(b, 'ls-tree', '-r', '--name-only', 'refs/heads/synced/master').catch(
            () => '',
          )
        ).includes('from-the-ui.txt'),
      30_000,
    );
    await page.screenshot({ path: join(shots, 'folders.png'), fullPage: true });
  });

  it('offers another folder to sync with, and syncs with it from the UI', async () => {
    await page.getByLabel('Folder path').fill(d);
    await page.getByRole('button', { name: 'Sync this folder' }).click();
    await page.locator('ul[aria-label="Repositories"] h3', { hasText: 'phone' }).waitFor();
    const offer = page.getByRole('button', { name: 'Sync laptop with phone' });
    await offer.waitFor();
    await page.screenshot({ path: join(shots, 'folders-offer.png'), fullPage: true });
    await offer.click();
    await page.getByText('Now syncing with phone').waitFor();
    writeFileSync(join(a, 'for-the-phone.txt'), 'sent to the phone\n');
    await waitFor(
      'the file reached the phone',
      () => existsSync(join(d, 'for-the-phone.txt')),
      30_000,
    );
    assert.equal(await page.getByRole('button', { name: 'Sync laptop with phone' }).count(), 0);
  });

  it('adds a folder on a share as a special remote from the UI, and content goes there', async () => {
    const share = join(tmp.path, 'nas-share');
    mkdirSync(share);
    const card = page
      .locator('ul[aria-label="Repositories"] > li')
      .filter({ has: page.locator('h3', { hasText: /^laptop$/ }) });
    await card.getByText('Add a cloud or network remote').click();
    await card.getByLabel('Kind').selectOption('directory');
    await card.getByLabel('Name', { exact: true }).fill('nas');
    await card.getByLabel('Folder (full path)').fill(share);
    await page.screenshot({ path: join(shots, 'folders-add-cloud.png'), fullPage: true });
    await card.locator('.add-cloud').getByRole('button', { name: 'Add' }).click();
    await card.getByText('Now syncing with nas').waitFor();
    await card.getByText(/nas .*folder, connected/).waitFor();
    await waitFor(
      'content on the share',
      () => readdirSync(share).some((n) => /^[0-9a-f]{3}$/.test(n)),
      30_000,
    );
  });

  it('shows a transfer progressing and pauses and resumes it', async () => {
    await app.engine.handlers().setRateLimit({ bytesPerSecond: 1_000_000 });
    writeFileSync(join(a, 'movie.mkv'), bytes(12_000_000, 7));
    await page.getByRole('tab', { name: /Transfers/ }).click();
    const row = page.locator('.transfer', { hasText: 'movie.mkv' }).first();
    await row.waitFor({ timeout: 30_000 }).catch(async (e: unknown) => {
      throw await explain(e);
    });
    // progress visible: the bar's label moves past 0 %
    await page
      .locator('progress[aria-label^="movie.mkv: "]:not([aria-label="movie.mkv: 0%"])')
      .first()
      .waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(shots, 'transfers.png'), fullPage: true });
    await row.getByRole('button', { name: 'Pause movie.mkv' }).click();
    await page.locator('h3.group', { hasText: 'Paused' }).waitFor();
    await page.screenshot({ path: join(shots, 'transfers-paused.png'), fullPage: true });
    const paused = await page.locator('.transfer.state-paused', { hasText: 'movie.mkv' }).count();
    assert.equal(paused, 1);
    await app.engine.handlers().setRateLimit({ bytesPerSecond: 0 });
    await page
      .locator('.transfer.state-paused', { hasText: 'movie.mkv' })
      .getByRole('button', { name: 'Resume movie.mkv' })
      .click();
    const done = page.locator('h3.group', { hasText: 'Done' });
    await done.waitFor({ timeout: 60_000 });
    // what finished is folded until asked for
    await done.getByRole('button', { name: 'Show' }).click();
    await page
      .locator('.transfer.state-done', { hasText: 'movie.mkv' })
      .first()
      .waitFor({ timeout: 60_000 })
      .catch(async (e: unknown) => {
        throw await explain(e);
      });
  });

  it('draws the map with every repository and highlights the least-cost routes', async () => {
    await page.getByRole('tab', { name: 'Network' }).click();
    const svg = page.locator('svg.map');
    await svg.waitFor();
    for (const name of ['laptop', 'usb drive', 'backup', 'phone'])
      assert.equal(await page.locator(`g.node[data-name="${name}"]`).count(), 1, name);
    // laptop -> usb drive -> backup is cheaper than the direct 1000 link
    assert.equal(
      await page.locator('g.edge.tree[data-from="laptop"][data-to="usb drive"]').count(),
      1,
    );
    assert.equal(
      await page.locator('g.edge.tree[data-from="usb drive"][data-to="backup"]').count(),
      1,
    );
    assert.equal(
      await page.locator('g.edge.tree[data-from="laptop"][data-to="backup"]').count(),
      0,
    );
    await page.screenshot({ path: join(shots, 'network.png'), fullPage: true });
    await page.getByRole('tab', { name: 'Activity' }).click();
    await page.locator('ol.activity li', { hasText: 'started syncing' }).first().waitFor();
    await page.screenshot({ path: join(shots, 'activity.png'), fullPage: true });
  });

  it('shows its version and its log, and has an icon', async () => {
    await page.getByText('About Ferry').click();
    await page.getByText(/^Ferry \d+\.\d+\.\d+$/).waitFor();
    await page.getByText('Log', { exact: true }).click();
    await page
      .locator('ol[aria-label="Log"], footer :text("Nothing logged yet.")')
      .first()
      .waitFor();
    assert.equal(await page.locator('link[rel="icon"]').count(), 1);
    await page.screenshot({ path: join(shots, 'about-and-log.png'), fullPage: true });
  });

  it('is usable by keyboard, in light and dark themes', async () => {
    await page.getByRole('tab', { name: 'Activity' }).focus();
    await page.keyboard.press('Home');
    assert.equal(
      await page.getByRole('tab', { name: 'Folders' }).getAttribute('aria-selected'),
      'true',
    );
    await page.emulateMedia({ colorScheme: 'dark' });
    const bg = await page.evaluate('getComputedStyle(document.body).backgroundColor');
    assert.equal(bg, 'rgb(15, 18, 22)');
    await page.screenshot({ path: join(shots, 'folders-dark.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
    assert.equal(
      await page.evaluate('getComputedStyle(document.body).backgroundColor'),
      'rgb(255, 255, 255)',
    );
  });
});
