/** The desktop shell's logic, without Electron: tray state, the command table, dispatch. */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createHandlers, dispatch, trayStateFor } from '../../src/main/shell';
import { COMMAND_NAMES } from '../../src/shared/ipc';
import type { RepositoryStatus } from '../../src/shared/types';
import { tempDir } from '../helpers/repos';

function status(overrides: Partial<RepositoryStatus> = {}): RepositoryStatus {
  return {
    uuid: 'u',
    description: 'd',
    top: '/x',
    isBare: false,
    branch: 'master',
    annexedFiles: 0,
    presentFiles: 0,
    presentBytes: 0,
    numcopies: 1,
    pendingJournal: 0,
    remotes: [],
    ...overrides,
  };
}

describe('tray state', () => {
  it('is idle with nothing to do and says how many folders are in sync', () => {
    assert.deepEqual(trayStateFor([]), { state: 'idle', tooltip: 'Ferry: no folders yet' });
    assert.equal(
      trayStateFor([status(), status({ uuid: 'v' })]).tooltip,
      'Ferry: 2 folders in sync',
    );
  });
  it('is offline when no remote of any repository is reachable', () => {
    const offline = status({
      remotes: [{ name: 'usb', url: '/media/usb', uuid: null, cost: 100, isAvailable: false }],
    });
    assert.equal(trayStateFor([offline]).state, 'offline');
  });
  it('is syncing while location changes wait to be recorded', () => {
    assert.equal(trayStateFor([status({ pendingJournal: 3 })]).state, 'syncing');
  });
});

describe('command handlers', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('has a handler for every command of the contract', () => {
    const handlers = createHandlers([]);
    assert.deepEqual(Object.keys(handlers).sort(), [...COMMAND_NAMES].sort());
  });

  it('adds a folder, then lists it', async () => {
    const folder = join(tmp.path, 'dropped');
    mkdirSync(folder);
    const handlers = createHandlers([]);
    const added = await dispatch(handlers, 'addFolder', {
      path: folder,
      description: 'dropped folder',
    });
    assert.ok(added.ok);
    assert.equal(added.value.description, 'dropped folder');
    const listed = await dispatch(handlers, 'listRepositories', undefined);
    assert.ok(listed.ok);
    assert.deepEqual(
      listed.value.map((r) => r.description),
      ['dropped folder'],
    );
  });

  it('turns engine errors into coded results', async () => {
    const handlers = createHandlers([join(tmp.path, 'missing')]);
    const r = await dispatch(handlers, 'listRepositories', undefined);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.code, 'not-a-repository');
  });
});
