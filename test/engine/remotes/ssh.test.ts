/**
 * The ssh kind against the Remote conformance suite: a git-annex repository on the real OpenSSH
 * server on 127.0.0.1, its content moved through `git-annex-shell p2pstdio` over the shared
 * connection. Plus what a user sees when the host refuses us.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openRepository } from '../../../src/engine/annex/repository';
import { objectRelPath } from '../../../src/engine/annex/paths';
import { findRemote } from '../../../src/engine/remotes/git-remotes';
import { SshRemote } from '../../../src/engine/remotes/ssh';
import { addRemote } from '../../../src/engine/remotes/add-remote';
import { repositoryStatus } from '../../../src/engine/status';
import { bytes } from '../../helpers/data';
import { ferryOk, git, tempDir } from '../../helpers/repos';
import { hasSshd, startSshd, type TestSshd } from '../../helpers/sshd';
import { remoteConformance } from './conformance';

describe('SshRemote', { skip: hasSshd() ? false : 'openssh-server is not installed' }, () => {
  const tmp = tempDir();
  let sshd: TestSshd;
  const saved = process.env.GIT_SSH_COMMAND;
  before(async () => {
    sshd = await startSshd();
  });
  after(async () => {
    process.env.GIT_SSH_COMMAND = saved;
    await sshd.stop();
    tmp.cleanup();
  });
  let n = 0;

  /** A host repository, a Ferry clone with it as remote `host`, and its own ssh client config. */
  async function setup(): Promise<{ a: string; host: string; config: string; root: string }> {
    const root = join(tmp.path, `case${n++}`);
    const a = join(root, 'A');
    const host = join(root, 'host');
    git(tmp.path, 'init', '-q', a);
    writeFileSync(join(a, 'big.bin'), bytes(8 << 20, n));
    await ferryOk(a, 'init', 'A');
    await ferryOk(a, 'add', 'big.bin');
    git(tmp.path, 'clone', '-q', a, host);
    git(host, 'annex', 'init', '-q', 'host');
    const config = join(root, 'ssh_config');
    copyFileSync(sshd.config, config);
    process.env.GIT_SSH_COMMAND = `ssh -F ${config}`;
    git(a, 'remote', 'add', 'host', `ferryhost:${host}`);
    return { a, host, config, root };
  }

  remoteConformance('ssh', async () => {
    const { a, host, config, root } = await setup();
    const c = join(root, 'C');
    git(tmp.path, 'clone', '-q', a, c);
    await ferryOk(c, 'init', 'C');
    const ours = await openRepository(a);
    const remote = await SshRemote.open(ours, await findRemote(ours, 'host'));
    const target = git(a, 'cat-file', 'blob', 'HEAD:big.bin');
    const key = target.slice(target.lastIndexOf('/') + 1);
    return {
      remote,
      ours,
      key,
      empty: await openRepository(c),
      unplug: () => {
        // the host goes away: its address now leads nowhere, and the shared connection ends
        execFileSync(
          'ssh',
          ['-F', config, '-S', join(a, '.git/annex/ssh/ferryhost'), '-O', 'exit', 'ferryhost'],
          {
            stdio: 'ignore',
          },
        );
        writeFileSync(config, readFileSync(config, 'utf8').replace(/Port \d+/, 'Port 1'));
      },
      corrupt: (k) => {
        const object = join(host, '.git', 'annex', objectRelPath(k, 'mixed'));
        chmodSync(dirname(object), 0o755);
        chmodSync(object, 0o644);
        writeFileSync(object, bytes(8 << 20, 999));
      },
    };
  });

  it('learns the host UUID with configlist and caches it as remote.host.annex-uuid', async () => {
    const { a, host } = await setup();
    const ours = await openRepository(a);
    const remote = await SshRemote.open(ours, await findRemote(ours, 'host'));
    assert.equal(remote.uuid, git(host, 'config', 'annex.uuid').trim());
    assert.equal(git(a, 'config', 'remote.host.annex-uuid').trim(), remote.uuid);
    await remote.close();
  });

  it('a key the host does not accept: "authentication needed", never a prompt or a hang', async () => {
    const { a, root } = await setup();
    const config = sshd.clientConfig(`stranger${n}`, { identity: sshd.strangerKey() });
    process.env.GIT_SSH_COMMAND = `ssh -F ${config}`;
    void root;
    const ours = await openRepository(a);
    await assert.rejects(
      SshRemote.open(ours, await findRemote(ours, 'host')),
      (e: Error & { code?: string }) => {
        assert.equal(e.code, 'auth-needed');
        assert.match(e.message, /authentication needed/);
        return true;
      },
    );
    const info = await findRemote(ours, 'host');
    const availability = SshRemote.availabilityAt(info);
    assert.equal(availability.state, 'down');
    assert.ok(availability.state === 'down' && availability.reason === 'auth-needed');
  });

  it('an unknown and a changed host key are refused with what to do', async () => {
    const { a, root } = await setup();
    const empty = join(root, 'known_hosts_empty');
    writeFileSync(empty, '');
    process.env.GIT_SSH_COMMAND = `ssh -F ${sshd.clientConfig(`unknown${n}`, { knownHosts: empty })}`;
    const ours = await openRepository(a);
    await assert.rejects(
      SshRemote.open(ours, await findRemote(ours, 'host')),
      /host key is not known/,
    );
    // a different key recorded for this host: a changed key, refused
    const other = sshd.strangerKey();
    const wrong = join(root, 'known_hosts_wrong');
    writeFileSync(wrong, `[127.0.0.1]:${sshd.port} ${readFileSync(`${other}.pub`, 'utf8')}`);
    process.env.GIT_SSH_COMMAND = `ssh -F ${sshd.clientConfig(`changed${n}`, { knownHosts: wrong })}`;
    await assert.rejects(SshRemote.open(ours, await findRemote(ours, 'host')), /has changed/);
  });

  it('adding a host from the window tests it first: a refused key adds nothing; a good one shows connected', async () => {
    const { a, host } = await setup();
    git(a, 'remote', 'remove', 'host');
    const ours = await openRepository(a);
    const good = process.env.GIT_SSH_COMMAND;
    process.env.GIT_SSH_COMMAND = `ssh -F ${sshd.clientConfig(`add${n}`, { identity: sshd.strangerKey() })}`;
    await assert.rejects(addRemote(ours, `ferryhost:${host}`), /authentication needed/);
    assert.equal((await repositoryStatus(ours)).remotes.length, 0, 'nothing was added');
    process.env.GIT_SSH_COMMAND = good;
    const name = await addRemote(ours, `ferryhost:${host}`);
    assert.equal(name, 'ferryhost');
    const [status] = (await repositoryStatus(ours)).remotes;
    assert.equal(status?.state, 'connected');
    assert.equal(status?.kind, 'ssh');
    assert.equal(status?.uuid, git(host, 'config', 'annex.uuid').trim());
  });

  it('a path that is not a repository names the host and path', async () => {
    const { a, root } = await setup();
    git(a, 'remote', 'set-url', 'host', `ferryhost:${join(root, 'nothing-here')}`);
    const ours = await openRepository(a);
    await assert.rejects(SshRemote.open(ours, await findRemote(ours, 'host')), (e: Error) => {
      assert.match(e.message, /ferryhost/);
      assert.match(e.message, /nothing-here/);
      return true;
    });
  });
});
