/**
 * Ferry's assistant beside the real `git annex assistant`: a file saved on either side reaches
 * the other's tree, and the two stay on the same tree.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openRepository } from '../../src/engine/annex/repository';
import { Assistant } from '../../src/engine/sync/assistant';
import { parcelWatch } from '../../src/engine/sync/watcher';
import { headTree, lsTree } from '../helpers/clones';
import { assertGitFsck, ferryOk, git, gitStatus, tempDir } from '../helpers/repos';
import { waitFor } from '../helpers/wait';

describe('Ferry assistant and git annex assistant', () => {
  const tmp = tempDir();
  let ferryAssistant: Assistant | undefined;
  let annexAssistant: ChildProcess | undefined;
  const a = join(tmp.path, 'ferry');
  const b = join(tmp.path, 'annex');
  after(async () => {
    await ferryAssistant?.stop();
    const child = annexAssistant;
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.on('exit', r));
      gitStatus(b, 'annex', 'assistant', '--stop');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
      await exited;
      clearTimeout(timer);
    }
    // git-annex's helpers (in the wrapper's process group) may still be writing as they stop:
    // wait for the whole group to be gone before removing the repositories
    const group = child?.pid;
    if (group) {
      const isGone = (): boolean => {
        try {
          process.kill(-group, 0);
          return false;
        } catch {
          return true;
        }
      };
      await waitFor('git annex assistant and its helpers gone', isGone, 10000).catch(() => {
        if (!isGone()) process.kill(-group, 'SIGKILL');
      });
    }
    tmp.cleanup();
  });

  it('saves travel both ways', async () => {
    mkdirSync(a);
    writeFileSync(join(a, 'start.txt'), 'start\n');
    await ferryOk(a, 'init', 'ferry side');
    await ferryOk(a, 'add', '.');
    git(tmp.path, 'clone', '-q', a, b);
    git(b, 'annex', 'init', 'annex side');
    git(a, 'remote', 'add', 'annex', b);
    // --debug makes git-annex log when its threads watch: the test writes only once they do
    annexAssistant = spawn('git', ['annex', 'assistant', '--foreground', '--debug'], {
      cwd: b,
      stdio: 'ignore',
      detached: true, // a process group of its own, so every helper can be stopped with it
    });
    ferryAssistant = new Assistant(await openRepository(a), { watch: parcelWatch, quietMs: 200 });
    await ferryAssistant.start();
    await ferryAssistant.whenIdle();
    // daemon.pid appears before the assistant watches anything; a push that lands before its
    // Merger watches .git/refs is never merged, so wait until both watchers have started
    const daemonLog = join(b, '.git', 'annex', 'daemon.log');
    const readDaemonLog = (): string =>
      existsSync(daemonLog) ? readFileSync(daemonLog, 'utf8') : '';
    await waitFor(
      'git annex assistant watching the work tree and .git/refs',
      () => {
        const log = readDaemonLog();
        return log.includes('(Merger) watching') && log.includes('(Watcher) watching');
      },
      60000,
    );
    const explain = (e: unknown): Error =>
      new Error(
        `${e instanceof Error ? e.message : String(e)}\nFerry's failed pushes: ${JSON.stringify(
          ferryAssistant?.failedRemotes(),
        )}\ngit-annex's log (last lines):\n${readDaemonLog()
          .split('\n')
          .filter((l) => !l.includes('(Utility.Process)') && !l.includes('(Annex.Branch)'))
          .slice(-40)
          .join('\n')}`,
      );

    writeFileSync(join(a, 'from-ferry.txt'), 'saved next to Ferry\n');
    await waitFor(
      'from-ferry.txt in the git-annex clone',
      () => lsTree(b).includes('from-ferry.txt') && existsSync(join(b, 'from-ferry.txt')),
      60000,
    ).catch((e: unknown) => {
      throw explain(e);
    });

    writeFileSync(join(b, 'from-annex.txt'), 'saved next to git-annex\n');
    await waitFor(
      'from-annex.txt in the Ferry clone',
      () => lsTree(a).includes('from-annex.txt'),
      60000,
    ).catch((e: unknown) => {
      throw explain(e);
    });
    await waitFor('the same tree', () => headTree(a) === headTree(b), 60000).catch((e: unknown) => {
      throw explain(e);
    });
    // git-annex added it unlocked: Ferry has its pointer (content moves with the transfer engine)
    assert.match(
      git(a, 'cat-file', '-p', 'HEAD:from-annex.txt'),
      /^\/annex\/objects\/SHA256E-s24--/,
    );
    assert.equal(readFileSync(join(b, 'from-annex.txt'), 'utf8'), 'saved next to git-annex\n');
    assertGitFsck(a);
  });
});
