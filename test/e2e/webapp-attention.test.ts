/**
 * What needs the user, end to end in Chromium on a real engine behind `ferry webapp`: a mass
 * deletion from a clone held on the folder's card and kept, a sync batch undone from the
 * history, a conflict resolved from the inbox; then an axe-core scan of every view in light and
 * dark at two window sizes (no critical or serious violations). Screenshots go to
 * test-output/screenshots.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startWebapp, type Webapp } from '../../src/cli/webapp';
import { axeScan, serious } from '../helpers/axe';
import { launchChromium, screenshotDir } from '../helpers/browser';
import { starClones } from '../helpers/clones';
import { ferryOk, git, gitAsync, tempDir } from '../helpers/repos';
import { waitFor } from '../helpers/wait';

const PHOTOS = 150;

describe('what needs the user, in the web UI', () => {
  const tmp = tempDir();
  let app: Webapp;
  let browser: Browser;
  let page: Page;
  const shots = screenshotDir();
  let a = '';
  let b = '';
  const photos = (dir: string): number => readdirSync(join(dir, 'photos')).length;

  before(async () => {
    const c = await starClones(tmp.path, ['laptop', 'desktop']);
    [a, b] = [c.laptop ?? '', c.desktop ?? ''];
    mkdirSync(join(a, 'photos'));
    for (let i = 0; i < PHOTOS; i++) writeFileSync(join(a, 'photos', `p${i}.jpg`), `photo ${i}\n`);
    writeFileSync(join(a, 'notes.txt'), 'first\n');
    await ferryOk(a, 'add', '.');
    await ferryOk(a, 'sync');
    await ferryOk(b, 'sync');
    process.env.FERRY_STATE_DIR = join(tmp.path, 'state');
    app = await startWebapp({
      cwd: tmp.path,
      folders: [a],
      drives: false,
      log: () => undefined,
      quietMs: 100,
    });
    browser = await launchChromium();
    // the page's CSP keeps out injected scripts: the scan's own script is let in
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      bypassCSP: true,
    });
    page = await context.newPage();
    await page.goto(app.server.url);
    await page.locator('ul[aria-label="Repositories"] h3', { hasText: 'laptop' }).waitFor();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
    delete process.env.FERRY_STATE_DIR;
    tmp.cleanup();
  });

  it('holds a mass deletion from a clone on the card, and keeps the files when asked', async () => {
    for (let i = 0; i < 120; i++) rmSync(join(b, 'photos', `p${i}.jpg`));
    await ferryOk(b, 'sync');
    const held = page.locator('.held');
    await held.waitFor({ timeout: 30_000 });
    assert.match(await held.innerText(), /desktop deleted 120 of 152 files/);
    assert.equal(photos(a), PHOTOS, 'nothing deleted before the user decides');
    assert.match(await page.title(), /needs you/);
    await page.screenshot({ path: join(shots, 'deletion-held.png'), fullPage: true });
    await held.getByRole('button', { name: 'Keep my files' }).click();
    await held.waitFor({ state: 'detached', timeout: 30_000 });
    assert.equal(photos(a), PHOTOS);
    await waitFor(
      'the desktop has its photos back',
      async () => {
        await ferryOk(b, 'sync');
        return photos(b) === PHOTOS;
      },
      30_000,
    );
  });

  it('undoes a sync batch from the history', async () => {
    for (let i = 0; i < 2; i++) rmSync(join(b, 'photos', `p${i}.jpg`));
    await ferryOk(b, 'sync');
    await waitFor('the laptop merged it', () => !existsSync(join(a, 'photos', 'p0.jpg')), 30_000);
    await page.getByRole('tab', { name: 'Activity' }).click();
    const undo = page.locator('.activity li', { hasText: 'merged changes' }).first();
    await undo.getByRole('button', { name: 'Undo', exact: true }).click();
    await page.screenshot({ path: join(shots, 'activity-undo.png'), fullPage: true });
    await undo.getByRole('button', { name: 'Undo this sync' }).click();
    await waitFor('p0.jpg back', () => existsSync(join(a, 'photos', 'p0.jpg')), 30_000);
    assert.equal(readFileSync(join(a, 'photos', 'p1.jpg'), 'utf8'), 'photo 1\n');
    await page.getByText(/undid a sync: 2 files back/).waitFor({ timeout: 30_000 });
  });

  it('lists a conflict in the inbox and keeps the version picked', async () => {
    const head = git(a, 'rev-parse', 'HEAD');
    rmSync(join(a, 'notes.txt'));
    writeFileSync(join(a, 'notes.txt'), 'from the laptop\n');
    await waitFor(
      'the laptop committed its notes',
      // git status runs git-annex's filter, which may wait for a lock this process's engine
      // holds: asked without blocking this process
      async () =>
        git(a, 'rev-parse', 'HEAD') !== head && (await gitAsync(a, 'status', '--porcelain')) === '',
      30_000,
    );
    rmSync(join(b, 'notes.txt'));
    writeFileSync(join(b, 'notes.txt'), 'from the desktop\n');
    await ferryOk(b, 'sync');
    await page.getByRole('tab', { name: 'Folders' }).click();
    await page.locator('.badge.conflicts', { hasText: '1 conflict' }).waitFor({ timeout: 30_000 });
    await page.getByText('Conflicts (1)').click();
    await page.screenshot({ path: join(shots, 'conflicts.png'), fullPage: true });
    assert.match(await page.locator('details.conflicts').innerText(), /16 B, changed/);
    const variants = readdirSync(a).filter((n) => n.startsWith('notes.variant-'));
    assert.equal(variants.length, 2);
    const mine = variants.find((v) => readFileSync(join(a, v), 'utf8') === 'from the laptop\n');
    assert.ok(mine);
    await page.getByRole('button', { name: `Keep ${mine} as notes.txt` }).click();
    await page.locator('.badge.conflicts').waitFor({ state: 'detached', timeout: 30_000 });
    assert.equal(readFileSync(join(a, 'notes.txt'), 'utf8'), 'from the laptop\n');
  });

  it('has no critical or serious accessibility problems in any view, light or dark', async () => {
    const problems: string[] = [];
    for (const size of [
      { width: 1280, height: 800 },
      { width: 800, height: 600 },
    ])
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.setViewportSize(size);
        await page.emulateMedia({ colorScheme });
        for (const tab of ['Folders', 'Transfers', 'Network', 'Devices', 'Activity']) {
          await page.getByRole('tab', { name: tab }).click();
          await page.locator('main[role="tabpanel"]').waitFor();
          for (const v of serious(await axeScan(page)))
            problems.push(
              `${tab} ${colorScheme} ${size.width}: ${v.id} (${v.impact}) ${v.help}: ${v.targets.join(', ')}`,
            );
          if (size.width === 1280)
            await page.screenshot({
              path: join(shots, `a11y-${tab.toLowerCase()}-${colorScheme}.png`),
              fullPage: true,
            });
        }
      }
    assert.deepEqual(problems, []);
  });
});
