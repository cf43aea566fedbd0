/**
 * Assistant details: the startup scan, files still being written, the change hook, the
 * commit message, and commits that never wait on a remote that stopped answering.
 */
import assert from 'node:assert/strict';
import {
  appendFileSync,
  chmodSync,
  existsSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { openRepository } from '../../../src/engine/annex/repository';
import { Assistant } from '../../../src/engine/sync/assistant';
import { parcelWatch } from '../../../src/engine/sync/watcher';
import { lsTree, starClones } from '../../helpers/clones';
import { git, tempDir } from '../../helpers/repos';
import { waitFor } from '../../helpers/wait';

describe('assistant details', () => {
  const tmp = tempDir();
  const running: Assistant[] = [];
  after(async () => {
    await Promise.all(running.map((a) => a.stop()));
    tmp.cleanup();
  });

  it('commits what changed while it was stopped, as git-annex in <description>', async () => {
    const c = await starClones(tmp.path, ['A', 'B']);
    const a = c.A ?? '';
    writeFileSync(join(a, 'offline-edit.txt'), 'made while no assistant ran\n');
    const assistant = new Assistant(await openRepository(a), { watch: parcelWatch, quietMs: 150 });
    running.push(assistant);
    await assistant.start();
    await assistant.whenIdle();
    assert.ok(lsTree(a).includes('offline-edit.txt'));
    assert.equal(git(a, 'log', '-1', '--format=%s').trim(), 'git-annex in A');
    // the assistant adds files unlocked, as the git-annex assistant does
    assert.match(git(a, 'cat-file', '-p', 'HEAD:offline-edit.txt'), /^\/annex\/objects\//);
    assert.equal(
      readFileSync(join(a, 'offline-edit.txt'), 'utf8'),
      'made while no assistant ran\n',
    );
    // and pushed it to B's synced branch, where B's assistant (or sync) will merge it
    await waitFor(
      'pushed to B',
      () =>
        git(c.B ?? '', 'rev-parse', 'refs/heads/synced/master').trim() ===
        git(a, 'rev-parse', 'HEAD').trim(),
    );
  });

  it('does not commit a file while it is still being written', async () => {
    const a = join(tmp.path, 'A');
    const path = join(a, 'growing.log');
    writeFileSync(path, '');
    for (let i = 0; i < 12; i++) {
      appendFileSync(path, `line ${i}\n`);
      await sleep(60); // faster than the quiet period
    }
    await waitFor('growing.log committed', () => lsTree(a).includes('growing.log'));
    // The first commit of the file already holds everything written.
    const first =
      git(a, 'log', '--reverse', '--format=%H', '--', 'growing.log').trim().split('\n')[0] ?? '';
    const pointer = git(a, 'cat-file', '-p', `${first}:growing.log`).trim();
    const size = Number(/-s(\d+)--/.exec(pointer)?.[1]);
    assert.equal(size, readFileSync(path).length, 'committed once, complete');
  });

  it('runs the change hook without a shell, with the repository in its environment', async () => {
    const a = join(tmp.path, 'A');
    const out = join(tmp.path, 'hook-ran');
    const hook = join(tmp.path, 'hook.sh');
    writeFileSync(hook, `#!/bin/sh\necho "$FERRY_REPOSITORY $FERRY_CHANGE" >> '${out}'\n`);
    chmodSync(hook, 0o755);
    git(a, 'config', 'ferry.changehook', hook);
    writeFileSync(join(a, 'hooked.txt'), 'signal the peers\n');
    await waitFor(
      'the hook ran',
      () => existsSync(out) && readFileSync(out, 'utf8').includes(`${a} commit`),
    );
  });

  it('commits while a push waits on a remote that stopped answering', async () => {
    const a = join(tmp.path, 'A');
    // an ssh "host" that answers the reachability probe, then never says anything more
    const started = join(tmp.path, 'stuck-pids');
    const ssh = join(tmp.path, 'stuck-ssh.sh');
    writeFileSync(
      ssh,
      `#!/bin/sh\ncase "$*" in *' true') exit 0;; esac\necho $$ >> '${started}'\nexec sleep 120\n`,
    );
    chmodSync(ssh, 0o755);
    git(a, 'remote', 'add', 'stuck', 'ssh://127.0.0.1/nowhere');
    const saved = process.env.GIT_SSH_COMMAND;
    process.env.GIT_SSH_COMMAND = ssh;
    const pids = (): number[] =>
      existsSync(started)
        ? readFileSync(started, 'utf8').split('\n').filter(Boolean).map(Number)
        : [];
    const alive = (pid: number): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    try {
      writeFileSync(join(a, 'before-stuck.txt'), 'pushed to a host that hangs\n');
      await waitFor('a session with the stuck host', () => pids().length > 0);
      writeFileSync(join(a, 'while-stuck.txt'), 'made while the push waits\n');
      await waitFor('while-stuck.txt committed', () => lsTree(a).includes('while-stuck.txt'));
      assert.ok(pids().some(alive), 'the stuck session was still waiting when the commit was made');
    } finally {
      if (saved === undefined) delete process.env.GIT_SSH_COMMAND;
      else process.env.GIT_SSH_COMMAND = saved;
      git(a, 'remote', 'remove', 'stuck');
      for (const pid of pids()) if (alive(pid)) process.kill(pid);
    }
  });

  it('tries a failed commit again, and loses none of its files', async () => {
    const a = join(tmp.path, 'A');
    // another git is updating the branch: the commit fails until it lets go
    const lock = join(a, '.git', 'refs', 'heads', 'master.lock');
    writeFileSync(lock, '');
    // a lock kept fresh is a live writer's, not a stale one to break
    const fresh = setInterval(() => utimesSync(lock, new Date(), new Date()), 300);
    try {
      writeFileSync(join(a, 'while-locked.txt'), 'saved while another git held the branch\n');
      // longer than a commit waits for a ref lock (5 s), so the commit fails
      await sleep(6500);
      assert.ok(!lsTree(a).includes('while-locked.txt'), 'not committed while the branch is held');
    } finally {
      clearInterval(fresh);
      rmSync(lock, { force: true });
    }
    // nothing else changes in the folder: only the retry can commit it
    await waitFor('while-locked.txt committed', () => lsTree(a).includes('while-locked.txt'));
  });
});
