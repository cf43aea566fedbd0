/**
 * The desktop shell without Electron: the tray's look and menu and the notifications as pure
 * functions, and the Shell wired to a real engine on a real repository through fake ports.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Engine } from '../../src/engine/engine';
import { parcelWatch } from '../../src/engine/sync/watcher';
import {
  applyToShell,
  notificationFor,
  Shell,
  trayMenuFor,
  trayStateFor,
  type MenuItem,
  type ShellState,
  type TrayState,
} from '../../src/main/shell';
import type { EngineEvent, RepositoryView } from '../../src/shared/ipc';
import type { TransferSnapshot } from '../../src/shared/transfers';
import { git, tempDir } from '../helpers/repos';
import { waitFor } from '../helpers/wait';

function repo(over: Partial<RepositoryView> = {}): RepositoryView {
  return {
    uuid: 'u',
    description: 'laptop',
    top: '/x',
    isBare: false,
    branch: 'master',
    annexedFiles: 0,
    presentFiles: 0,
    presentBytes: 0,
    numcopies: 1,
    pendingJournal: 0,
    held: [],
    conflicts: [],
    remotes: [],
    state: 'idle',
    reason: null,
    ...over,
  };
}

const control = { isPaused: false, pausedRemotes: [], rateLimit: 0, remoteRateLimits: {} };
const state = (over: Partial<ShellState> = {}): ShellState => ({
  repositories: [repo()],
  transfers: [],
  control,
  ...over,
});

describe('the shell state from events', () => {
  it('follows folders, transfers and control from their events, without a snapshot', () => {
    const t = { id: 't1', state: 'running', rate: 1000, bytesDone: 0 } as TransferSnapshot;
    let s = state({ repositories: [] });
    s = applyToShell(s, { type: 'repository-changed', status: repo({ state: 'syncing' }), at: 1 });
    s = applyToShell(s, { type: 'transfer-changed', transfer: t, at: 2 });
    assert.equal(trayStateFor(s).state, 'syncing');
    s = applyToShell(s, {
      type: 'transfers-progressed',
      progress: [{ id: 't1', bytesDone: 500, rate: 2_000_000, etaSeconds: 1 }],
      at: 3,
    });
    assert.equal(trayStateFor(s).tooltip, 'Ferry: 1 transfer, 2.0 MB/s');
    s = applyToShell(s, { type: 'transfer-changed', transfer: { ...t, state: 'done' }, at: 4 });
    s = applyToShell(s, { type: 'repository-changed', status: repo({ state: 'idle' }), at: 5 });
    assert.deepEqual(s.transfers, [], 'an ended transfer leaves');
    assert.equal(s.repositories.length, 1, 'one folder, updated in place');
    assert.equal(trayStateFor(s).state, 'idle');
    s = applyToShell(s, {
      type: 'control-changed',
      control: { ...control, isPaused: true },
      at: 6,
    });
    assert.equal(trayStateFor(s).state, 'paused');
    const same = applyToShell(s, {
      type: 'activity',
      entry: { at: 7, repository: null, kind: 'sync', text: 'x' },
      at: 7,
    });
    assert.equal(same, s, 'other events leave the state as it is');
  });
});

describe('tray state and menu', () => {
  it('counts conflicts waiting in the inbox in the tooltip and the menu', () => {
    const conflicted = repo({
      conflicts: [
        { path: 'a.txt', variants: [] },
        { path: 'b.txt', variants: [] },
      ],
    });
    const s = state({ repositories: [conflicted] });
    assert.deepEqual(trayStateFor(s), {
      state: 'idle',
      tooltip: 'Ferry: 1 folder in sync · 2 conflicts to look at',
    });
    assert.equal(trayMenuFor(s, false)[0]?.label, '1 folder in sync · 2 conflicts to look at');
  });

  it('is idle when everything is in sync, and says how many folders', () => {
    assert.deepEqual(trayStateFor(state({ repositories: [] })), {
      state: 'idle',
      tooltip: 'Ferry: no folders yet',
    });
    assert.deepEqual(trayStateFor(state({ repositories: [repo(), repo({ uuid: 'v' })] })), {
      state: 'idle',
      tooltip: 'Ferry: 2 folders in sync',
    });
  });

  it('shows syncing with the transfer count and rate', () => {
    const t = { state: 'running', rate: 2_500_000 } as TransferSnapshot;
    assert.deepEqual(trayStateFor(state({ transfers: [t, { ...t, state: 'queued', rate: 0 }] })), {
      state: 'syncing',
      tooltip: 'Ferry: 2 transfers, 2.5 MB/s',
    });
  });

  it('puts an error first, then paused, then offline', () => {
    const broken = repo({ state: 'error', reason: 'could not send changes to nas: disk full' });
    const offline = repo({ state: 'offline' });
    assert.equal(
      trayStateFor(
        state({ repositories: [offline, broken], control: { ...control, isPaused: true } }),
      ).state,
      'error',
    );
    assert.match(trayStateFor(state({ repositories: [broken] })).tooltip, /disk full/);
    assert.equal(
      trayStateFor(state({ repositories: [offline], control: { ...control, isPaused: true } }))
        .state,
      'paused',
    );
    assert.equal(trayStateFor(state({ repositories: [offline] })).state, 'offline');
  });

  it('offers pause or resume as the state requires, and start at login as a check box', () => {
    const labels = (m: readonly MenuItem[]): string[] => m.map((i) => i.label).filter(Boolean);
    assert.deepEqual(labels(trayMenuFor(state(), false)), [
      '1 folder in sync',
      'Open Ferry',
      'Pause syncing',
      'Sync now',
      'Add a folder…',
      'Start at login',
      'Quit Ferry',
    ]);
    const paused = trayMenuFor(state({ control: { ...control, isPaused: true } }), true);
    assert.ok(paused.some((i) => i.action === 'resume-all'));
    assert.equal(paused.find((i) => i.action === 'start-at-login')?.checked, true);
  });

  it('notifies about conflicts, drives safe to unplug and errors, and nothing else', () => {
    assert.match(
      notificationFor({
        type: 'conflict-resolved',
        repo: '/x',
        path: 'a.txt',
        kind: 'both-annexed',
        kept: ['a.variant-1.txt', 'a.variant-2.txt'],
        at: 1,
      })?.body ?? '',
      /a.txt was changed in two places/,
    );
    assert.equal(
      notificationFor({
        type: 'drive-safe-to-unplug',
        mountPoint: '/m',
        remote: 'usb',
        failed: 0,
        at: 1,
      })?.title,
      'Safe to unplug',
    );
    assert.equal(
      notificationFor({ type: 'committed', repo: '/x', commit: 'c', files: 1, at: 1 }),
      null,
    );
  });
});

describe('the shell on a real engine', () => {
  const tmp = tempDir();
  const engines: Engine[] = [];
  after(async () => {
    for (const e of engines) await e.stop();
    tmp.cleanup();
  });

  it('drives the tray from engine state and acts on the menu', async () => {
    const a = join(tmp.path, 'A');
    mkdirSync(a);
    writeFileSync(join(a, 'hello.txt'), 'hello\n');
    const engine = new Engine({ watch: parcelWatch, quietMs: 50 });
    engines.push(engine);
    await engine.start();
    const trays: { state: TrayState; tooltip: string }[] = [];
    const sent: EngineEvent[] = [];
    const notes: string[] = [];
    let shown = 0;
    let quit = 0;
    let atLogin = false;
    const shell = new Shell(engine, {
      tray: {
        setState: (s, tooltip) => trays.push({ state: s, tooltip }),
        setMenu: () => undefined,
      },
      window: { show: () => shown++, send: (e) => sent.push(e) },
      notifier: { notify: (title, body) => notes.push(`${title}: ${body}`) },
      app: {
        quit: () => quit++,
        chooseFolder: () => Promise.resolve(a),
        isStartingAtLogin: () => atLogin,
        setStartAtLogin: (on) => {
          atLogin = on;
        },
      },
    });
    await shell.start();
    assert.equal(trays.at(-1)?.tooltip, 'Ferry: no folders yet');
    await shell.act('add-folder'); // the dialog "chooses" A
    await waitFor('hello.txt committed by the assistant', () => {
      try {
        return git(a, 'ls-files').includes('hello.txt');
      } catch {
        return false;
      }
    });
    await waitFor('tray says one folder', () => /1 folder/.test(trays.at(-1)?.tooltip ?? ''));
    await shell.act('pause-all');
    assert.equal(trays.at(-1)?.state, 'paused');
    await shell.act('resume-all');
    assert.notEqual(trays.at(-1)?.state, 'paused');
    await shell.act('open');
    await shell.act('start-at-login');
    await shell.act('quit');
    assert.deepEqual([shown, atLogin, quit], [1, true, 1]);
    assert.ok(
      sent.some((e) => e.type === 'committed'),
      'engine events reach the window',
    );
    shell.stop();
  });
});
