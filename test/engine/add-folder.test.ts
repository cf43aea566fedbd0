/**
 * Adding a folder can be cancelled while it runs, and gives up after its time limit: either
 * way the folder is left not synced (not in the list, not remembered), its files as they were,
 * and the user is told which happened. The watch of the folder is made slow here, as a huge
 * tree or a share that stopped answering makes it.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { Engine } from '../../src/engine/engine';
import { parcelWatch, type WatchFn } from '../../src/engine/sync/watcher';
import { tempDir } from '../helpers/repos';
import { waitFor } from '../helpers/wait';

describe('adding a folder, cancelled or too slow', () => {
  const tmp = tempDir();
  const engines: Engine[] = [];
  after(async () => {
    for (const e of engines) await e.stop();
    tmp.cleanup();
  });
  let slowMs = 0;
  /** how many watches were begun: the add reached the slow part */
  let watches = 0;
  const slowWatch: WatchFn = async (dir, onEvents, options) => {
    watches += 1;
    await sleep(slowMs);
    return parcelWatch(dir, onEvents, options);
  };
  /**
   * No folder is synced. When the add had reached the slow part, what it started is stopped
   * again once that part ends (on a slow disk the making of the repository can outlast the
   * limit, and then nothing was started).
   */
  const forgotten = async (engine: Engine, reached: boolean): Promise<void> => {
    if (reached) await waitFor('the folder stopped again', () => removed.has(engine), 10_000);
    assert.deepEqual(await engine.handlers().listRepositories(), []);
  };
  const removed = new Set<Engine>();
  const watchRemovals = (engine: Engine): void => {
    engine.on((e) => {
      if (e.type === 'repository-removed') removed.add(engine);
    });
  };
  const folder = (name: string): string => {
    const dir = join(tmp.path, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'keep.txt'), 'mine\n');
    return dir;
  };

  it('is cancelled while it runs, and the folder is not synced', async () => {
    const state = join(tmp.path, 'state-a');
    const engine = new Engine({ watch: slowWatch, stateDir: state, quietMs: 50 });
    engines.push(engine);
    watchRemovals(engine);
    await engine.start();
    const h = engine.handlers();
    const dir = folder('photos');
    slowMs = 1500;
    watches = 0;
    const adding = h.addFolder({ path: dir });
    adding.catch(() => undefined);
    await waitFor('the add reached its slow part', () => watches > 0, 10_000);
    await sleep(100);
    assert.equal(await h.cancelAddFolder({ path: dir }), true);
    await assert.rejects(adding, (e: Error & { code?: string }) => {
      assert.equal(e.code, 'cancelled');
      assert.match(e.message, /was cancelled: it is not synced/);
      return true;
    });
    assert.equal(await h.cancelAddFolder({ path: dir }), false, 'nothing left to cancel');
    // the slow part ends: what it started is stopped again
    await forgotten(engine, true);
    const remembered = existsSync(join(state, 'folders.json'))
      ? (JSON.parse(readFileSync(join(state, 'folders.json'), 'utf8')) as unknown[])
      : [];
    assert.deepEqual(remembered, []);
    assert.equal(readFileSync(join(dir, 'keep.txt'), 'utf8'), 'mine\n');
    // and it can be added again later
    slowMs = 0;
    const v = await h.addFolder({ path: dir });
    assert.equal(v.top, dir);
  });

  it('gives up after its time limit, with a message that says why', async () => {
    const engine = new Engine({
      watch: slowWatch,
      stateDir: join(tmp.path, 'state-b'),
      quietMs: 50,
      addFolderTimeoutMs: 400,
    });
    engines.push(engine);
    watchRemovals(engine);
    await engine.start();
    const h = engine.handlers();
    const dir = folder('share');
    slowMs = 1500;
    watches = 0;
    await assert.rejects(h.addFolder({ path: dir }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'timeout');
      assert.match(e.message, /took longer than 0 s .* it is not synced/);
      return true;
    });
    await forgotten(engine, watches > 0);
  });
});
