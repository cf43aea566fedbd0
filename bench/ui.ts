/**
 * The window with 10,000 transfers: the renderer, built as shipped, in Debian's Chromium, fed by
 * an API object injected the way the Electron preload injects it (a snapshot of 10,000 queued
 * transfers, then progress for 1,000 running ones four times a second). Measured: time from
 * the snapshot to the queue on screen, frame times while scrolling through the whole list and
 * while progress arrives, and the page's JS heap. git-annex's webapp has no equivalent view, so
 * these are absolute figures (a frame budget is 16.7 ms).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWebServer } from '../src/cli/web-server';
import { packageRoot } from '../src/cli/webapp';
import { Engine } from '../src/engine/engine';
import { parcelWatch } from '../src/engine/sync/watcher';
import { launchChromium } from '../test/helpers/browser';

const COUNT = Number(process.env.BENCH_UI_TRANSFERS ?? 10_000);

/**
 * Runs in the page before the app: a FerryApi with many transfers and a progress pump. Plain
 * JavaScript source (functions compiled here would carry helpers the page does not have).
 */
const INJECTED = `(count) => {
  const listeners = new Set();
  const transfers = Array.from({ length: count }, (_, i) => ({
    id: 'up:u-usb:KEY' + i, direction: 'upload', key: 'KEY' + i,
    file: 'photos/2026/img_' + String(i).padStart(5, '0') + '.jpg',
    remote: 'usb', remoteUuid: 'u-usb', state: i < 1000 ? 'running' : 'queued',
    bytesDone: 0, resumedFrom: 0, size: 5000000, rate: 0, etaSeconds: null, reason: null,
    nextRetryAt: null, attempts: 0, queuedAt: i, startedAt: null, finishedAt: null,
    isExternal: false, via: null, nextHops: [],
  }));
  const ok = (value) => Promise.resolve({ ok: true, value });
  window.ferry = {
    snapshot: () => ok({
      repositories: [], transfers,
      control: { isPaused: false, pausedRemotes: [], rateLimit: 0, remoteRateLimits: {} },
      maps: {}, drives: [], activity: [], offers: {}, isHeadless: false,
    }),
    listRepositories: () => ok([]), addFolder: () => ok(null), syncWith: () => ok(null), syncNow: () => ok(null),
    pauseAll: () => ok(null), resumeAll: () => ok(null), pauseTransfer: () => ok(true),
    resumeTransfer: () => ok(true), cancelTransfer: () => ok(1), setRateLimit: () => ok(null),
    on: (l) => { listeners.add(l); return () => listeners.delete(l); },
  };
  let tick = 0;
  window.__startProgress = () => setInterval(() => {
    tick++;
    const progress = [];
    for (let i = 0; i < 1000; i++)
      progress.push({ id: 'up:u-usb:KEY' + i, bytesDone: tick * 50000, rate: 200000, etaSeconds: 20 });
    for (const l of listeners) l({ type: 'transfers-progressed', progress, at: Date.now() });
  }, 250);
}`;

/** Frame intervals (ms) over `ms`, measured in the page. */
const FRAMES = `(ms) => new Promise((resolve) => {
  const out = []; let last = performance.now(); const end = last + ms;
  const step = (t) => { out.push(t - last); last = t; if (t < end) requestAnimationFrame(step); else resolve(out); };
  requestAnimationFrame(step);
})`;

function stats(xs: number[]): {
  frames: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
  over50ms: number;
} {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number): number =>
    Math.round((s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0) * 10) / 10;
  return {
    frames: s.length,
    medianMs: at(0.5),
    p95Ms: at(0.95),
    maxMs: at(1),
    over50ms: s.filter((x) => x > 50).length,
  };
}

export async function benchUi(): Promise<Record<string, unknown>> {
  const state = mkdtempSync(join(tmpdir(), 'ferry-bench-ui-'));
  process.env.FERRY_STATE_DIR = state;
  const engine = new Engine({ watch: parcelWatch });
  const server = await startWebServer(engine, {
    staticDir: join(packageRoot(), 'out', 'renderer'),
  });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
    await page.addInitScript({ content: `(${INJECTED})(${COUNT});` });
    const t0 = Date.now();
    await page.goto(server.url);
    await page.getByRole('tab', { name: /Transfers/ }).click();
    await page.locator('[role="list"][aria-label="Transfer queue"]').waitFor();
    const toQueueMs = Date.now() - t0;
    const rows = await page.locator('[role="listitem"]').count();
    // scroll through the whole list while measuring frames
    const scrolling = page.evaluate<number[]>(`(${FRAMES})(3000)`);
    await page.evaluate(`(async () => {
      const el = document.querySelector('[role="list"][aria-label="Transfer queue"]');
      const total = el.scrollHeight;
      for (let i = 0; i <= 60; i++) { el.scrollTop = (total * i) / 60; await new Promise((r) => setTimeout(r, 45)); }
      el.scrollTop = 0;
    })()`);
    const scrollFrames = await scrolling;
    // progress for 1,000 running transfers, 4 times a second
    await page.evaluate('window.__startProgress()');
    const progressFrames = await page.evaluate<number[]>(`(${FRAMES})(3000)`);
    const shown = await page.locator('progress').first().getAttribute('aria-label');
    const heap = await page.evaluate<number>(
      'performance.memory ? performance.memory.usedJSHeapSize : 0',
    );
    return {
      transfers: COUNT,
      gotoToQueueVisibleMs: toQueueMs,
      rowsInDom: rows,
      scrolling: stats(scrollFrames),
      progress1000At4Hz: stats(progressFrames),
      firstProgressShown: shown,
      jsHeapMB: Math.round(heap / 1e6),
    };
  } finally {
    await browser.close();
    await server.close();
    await engine.stop();
    delete process.env.FERRY_STATE_DIR;
    rmSync(state, { recursive: true, force: true });
  }
}
