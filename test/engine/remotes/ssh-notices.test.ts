/**
 * Change notices from an ssh host (`git-annex-shell notifychanges` over the real OpenSSH server
 * on 127.0.0.1): a commit on the host is announced; when the host goes away the watch backs off,
 * and once the host is reached again by other work it watches again at once, not at the end of
 * its backoff.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openRepository } from '../../../src/engine/annex/repository';
import { findRemote } from '../../../src/engine/remotes/git-remotes';
import { SshRemote } from '../../../src/engine/remotes/ssh';
import { ferryOk, git } from '../../helpers/repos';
import { hasSshd, sshdSuite } from '../../helpers/sshd';
import { waitFor } from '../../helpers/wait';

describe('change notices from an ssh host', { skip: hasSshd() ? false : 'no sshd' }, () => {
  const { tmp, server } = sshdSuite();

  it('announce commits, back off while the host is away, and watch again as soon as it is reached', async () => {
    const host = join(tmp.path, 'host');
    git(tmp.path, 'init', '-q', host);
    git(host, 'annex', 'init', '-q', 'host');
    git(host, 'commit', '-q', '--allow-empty', '-m', 'start');
    const config = join(tmp.path, 'ssh_config');
    copyFileSync(server().config, config);
    process.env.GIT_SSH_COMMAND = `ssh -F ${config}`;
    const a = join(tmp.path, 'A');
    await ferryOk(tmp.path, 'clone', `ferryhost:${host}`, a);
    const repo = await openRepository(a);
    const info = await findRemote(repo, 'origin');

    const states: boolean[] = [];
    const changes: string[] = [];
    const watch = await SshRemote.watchChanges(repo, info, {
      changed: (shas) => changes.push(...shas),
      state: (isUp) => states.push(isUp),
    });
    try {
      await waitFor('the watch is ready', () => states.includes(true), 20_000);
      git(host, 'commit', '-q', '--allow-empty', '-m', 'on the host');
      const head = git(host, 'rev-parse', 'HEAD').trim();
      await waitFor('the commit is announced', () => changes.includes(head), 20_000);

      // the host goes away: the watch fails, again and again, waiting longer each time
      const good = readFileSync(config, 'utf8');
      writeFileSync(config, good.replace(/Port \d+/, 'Port 1'));
      server().cutConnections();
      const downs = (): number => states.filter((s) => !s).length;
      await waitFor('four failed tries', () => downs() >= 4, 30_000);
      assert.equal(states.at(-1), false);
      assert.equal(SshRemote.availabilityAt(info).state, 'down', 'the watch marked the host down');

      // back: a transfer reaches the host, and the watch (8 s into its backoff now) follows at once
      writeFileSync(config, good);
      const remote = await SshRemote.open(repo, info);
      assert.equal(await remote.hasKey('SHA256E-s1--00'), false);
      await waitFor('the watch is ready again', () => states.at(-1) === true, 5000);
      git(host, 'commit', '-q', '--allow-empty', '-m', 'after the outage');
      const again = git(host, 'rev-parse', 'HEAD').trim();
      await waitFor('the next commit is announced', () => changes.includes(again), 20_000);
      await remote.close();
    } finally {
      watch.close();
    }
  });
});
