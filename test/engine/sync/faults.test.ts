/**
 * Faults: a remote that disappears (a drive pulled out) and comes back, a sync process killed
 * at random points, refs moved under a remote. Nothing is lost and the next sync heals.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { openRepository } from '../../../src/engine/annex/repository';
import { Assistant } from '../../../src/engine/sync/assistant';
import { parcelWatch } from '../../../src/engine/sync/watcher';
import type { SyncEvent } from '../../../src/shared/events';
import { headTree, lsTree, starClones } from '../../helpers/clones';
import { assertGitFsck, ferryOk, git, gitStatus, tempDir } from '../../helpers/repos';
import { waitFor } from '../../helpers/wait';

describe('a remote that disappears', () => {
  const tmp = tempDir();
  let assistant: Assistant | undefined;
  after(async () => {
    await assistant?.stop();
    tmp.cleanup();
  });

  it('fails the push with a reason, and retries at once when it is back', async () => {
    const c = await starClones(tmp.path, ['A', 'drive']);
    const [a, drive] = [c.A ?? '', c.drive ?? ''];
    const events: SyncEvent[] = [];
    assistant = new Assistant(await openRepository(a), {
      watch: parcelWatch,
      quietMs: 150,
      remoteCheckMs: 200,
      events: (e) => events.push(e),
    });
    await assistant.start();
    await assistant.whenIdle();
    renameSync(drive, `${drive}.unplugged`);
    writeFileSync(join(a, 'while-away.txt'), 'written while the drive was out\n');
    await waitFor('push-failed', () =>
      events.some((e) => e.type === 'push-failed' && e.remote === 'drive'),
    );
    const failed = events.find((e) => e.type === 'push-failed');
    assert.ok(
      failed &&
        failed.type === 'push-failed' &&
        /not reachable/.test(failed.reason) &&
        failed.retryAt !== null,
    );
    assert.deepEqual(
      assistant.failedRemotes().map((f) => f.remote),
      ['drive'],
    );
    renameSync(`${drive}.unplugged`, drive);
    await waitFor(
      'synced/master on the drive',
      () =>
        git(drive, 'rev-parse', 'refs/heads/synced/master').trim() ===
        git(a, 'rev-parse', 'HEAD').trim(),
    );
    await waitFor('no failed remotes', () => assistant?.failedRemotes().length === 0);
    assertGitFsck(drive);
  });
});

describe('a sync killed at random points', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('leaves both repositories valid, and the next sync heals', async () => {
    const c = await starClones(tmp.path, ['A', 'B']);
    const [a, b] = [c.A ?? '', c.B ?? ''];
    const ferryBin = resolve('bin/ferry.mjs');
    for (let round = 0; round < 8; round++) {
      for (let i = 0; i < 20; i++)
        writeFileSync(join(a, `r${round}-${i}.txt`), `round ${round} file ${i}\n`.repeat(50));
      writeFileSync(join(b, `b${round}.txt`), `b ${round}\n`);
      const child = spawn(process.execPath, [ferryBin, 'sync', '--add'], {
        cwd: round % 2 === 0 ? a : b,
        stdio: 'ignore',
      });
      const killAfter = 50 + ((round * 97) % 400);
      const timer = setTimeout(() => child.kill('SIGKILL'), killAfter);
      await new Promise((r) => child.on('exit', r));
      clearTimeout(timer);
      assertGitFsck(a);
      assertGitFsck(b);
    }
    await ferryOk(a, 'sync', '--add');
    await ferryOk(b, 'sync', '--add');
    await ferryOk(a, 'sync');
    assert.equal(headTree(a), headTree(b));
    const files = lsTree(a);
    for (let round = 0; round < 8; round++) {
      assert.ok(files.includes(`b${round}.txt`), `b${round}.txt`);
      assert.ok(files.includes(`r${round}-19.txt`), `r${round}-19.txt`);
    }
    // and the location logs say where every file's content is, as git-annex reads them
    for (const dir of [a, b]) {
      const fsck = gitStatus(dir, 'annex', 'fsck', '--fast', '--quiet');
      assert.equal(
        fsck.status,
        0,
        `git annex fsck --fast in ${dir}:\n${fsck.stderr}${fsck.stdout}`,
      );
    }
  });
});

describe('refs moved under a remote', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('a synced branch reset to an unrelated commit is merged, not overwritten', async () => {
    const c = await starClones(tmp.path, ['A', 'B']);
    const [a, b] = [c.A ?? '', c.B ?? ''];
    writeFileSync(join(a, 'a.txt'), 'a\n');
    await ferryOk(a, 'sync', '--add');
    // Someone rewrites B's synced/master to a commit A has never seen.
    const orphanTree = git(b, 'mktree').trim();
    const orphan = git(b, 'commit-tree', orphanTree, '-m', 'orphan').trim();
    git(b, 'update-ref', 'refs/heads/synced/master', orphan);
    writeFileSync(join(a, 'a2.txt'), 'a2\n');
    await ferryOk(a, 'sync', '--add');
    await ferryOk(b, 'sync');
    assert.ok(lsTree(b).includes('a2.txt'));
    assert.equal(headTree(a), headTree(b));
    assertGitFsck(a);
    assertGitFsck(b);
  });
});
