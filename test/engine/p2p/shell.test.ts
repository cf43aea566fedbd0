/**
 * `ferry shell` as the host side of an ssh remote, over the real OpenSSH server on 127.0.0.1:
 * a real `git annex` client with `annex-shell` (and upload-pack / receive-pack) set to it syncs
 * history and moves content both ways, and `git annex fsck` is clean on both sides; a Ferry
 * client does the same. No git binary runs on the host's side of any of it.
 */
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { spawn, spawnSync } from 'node:child_process';
import { bytes } from '../../helpers/data';
import { ferryOk, git, gitStatus, tempDir } from '../../helpers/repos';
import { hasSshd, startSshd, type TestSshd } from '../../helpers/sshd';

const FERRY = join(import.meta.dirname, '..', '..', '..', 'bin', 'ferry.mjs');

describe('ferry shell', { skip: hasSshd() ? false : 'openssh-server is not installed' }, () => {
  const tmp = tempDir();
  let sshd: TestSshd;
  let shell: string;
  /** each request the host's ferry shell served, one line each */
  let served: string;
  const requests = (): string[] => readFileSync(served, 'utf8').split('\n').filter(Boolean);
  const saved = { ssh: process.env.GIT_SSH_COMMAND, use: process.env.GIT_ANNEX_USE_GIT_SSH };
  before(async () => {
    sshd = await startSshd();
    process.env.GIT_SSH_COMMAND = `ssh -F ${sshd.config}`;
    process.env.GIT_ANNEX_USE_GIT_SSH = '1';
    shell = join(tmp.path, 'ferry-shell');
    served = join(tmp.path, 'served.log');
    writeFileSync(
      shell,
      `#!/bin/sh\necho "$1" >> ${served}\nexec ${process.execPath} ${FERRY} shell "$@"\n`,
    );
    chmodSync(shell, 0o755);
  });
  after(async () => {
    process.env.GIT_SSH_COMMAND = saved.ssh;
    process.env.GIT_ANNEX_USE_GIT_SSH = saved.use;
    await sshd.stop();
    tmp.cleanup();
  });

  /** A Ferry repository `host` holding one annexed file, served only by `ferry shell`. */
  async function hostRepo(name: string): Promise<string> {
    const host = join(tmp.path, name);
    git(tmp.path, 'init', '-q', '-b', 'main', host);
    writeFileSync(join(host, 'photo.jpg'), bytes(300_000, 7));
    await ferryOk(host, 'init', 'host');
    await ferryOk(host, 'add', 'photo.jpg');
    return host;
  }

  function useFerryShell(clone: string, remote: string): void {
    git(clone, 'config', `remote.${remote}.annex-shell`, shell);
    git(clone, 'config', `remote.${remote}.uploadpack`, `${shell} git-upload-pack`);
    git(clone, 'config', `remote.${remote}.receivepack`, `${shell} git-receive-pack`);
  }

  it('serves a git-annex client: clone, sync, get, copy --to, fsck clean on both sides', async () => {
    const host = await hostRepo('host1');
    writeFileSync(served, '');
    const client = join(tmp.path, 'client1');
    git(
      tmp.path,
      'clone',
      '-q',
      '--upload-pack',
      `${shell} git-upload-pack`,
      `ferryhost:${host}`,
      client,
    );
    useFerryShell(client, 'origin');
    git(client, 'annex', 'init', '-q', 'client');
    // configlist gave the host's UUID
    const hostUuid = git(host, 'config', 'annex.uuid').trim();
    git(client, 'annex', 'get', 'photo.jpg');
    assert.deepEqual(readFileSync(join(client, 'photo.jpg')), bytes(300_000, 7));
    // the client's own file goes to the host, with the history
    writeFileSync(join(client, 'video.mp4'), bytes(2_000_000, 9));
    git(client, 'annex', 'add', 'video.mp4');
    git(client, 'commit', '-q', '-m', 'video');
    git(client, 'annex', 'copy', '--to', 'origin', 'video.mp4');
    git(client, 'annex', 'sync', '--no-content');
    assert.equal(git(client, 'config', 'remote.origin.annex-uuid').trim(), hostUuid);
    // the host has the content, verified, and its log says so (recorded by the host itself)
    const whereis = git(host, 'annex', 'whereis', '--json', '--key', keyOf(client, 'video.mp4'));
    assert.match(whereis, new RegExp(hostUuid));
    const fsckHost = gitStatus(
      host,
      'annex',
      'fsck',
      '--fast',
      '--key',
      keyOf(client, 'video.mp4'),
    );
    assert.equal(fsckHost.status, 0, fsckHost.stderr);
    // synced/main arrived through Ferry's receive-pack
    assert.equal(
      git(host, 'rev-parse', 'refs/heads/synced/main').trim(),
      git(client, 'rev-parse', 'HEAD').trim(),
    );
    const fsck = gitStatus(client, 'annex', 'fsck');
    assert.equal(fsck.status, 0, fsck.stderr + fsck.stdout);
    assert.equal(gitStatus(host, 'fsck', '--strict').status, 0);
    // every request reached Ferry, none the host's git
    for (const r of ['configlist', 'p2pstdio', 'git-upload-pack', 'git-receive-pack'])
      assert.ok(
        requests().includes(r),
        `${r} was not served by ferry shell: ${requests().join(',')}`,
      );
  });

  it('refuses a repository that is not the UUID asked for, and a command it does not serve', async () => {
    const host = await hostRepo('host3');
    const wrong = spawnSync(shell, ['p2pstdio', host, 'c-uuid', '--uuid', 'not-this-one'], {
      encoding: 'utf8',
      input: '',
    });
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /expected repository UUID not-this-one but found UUID/);
    const r = spawnSync(shell, ['configlist', join(tmp.path, 'nowhere')], { encoding: 'utf8' });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /not inside a git repository/);
    const bad = spawnSync(shell, ['-c', 'rm -rf /'], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /does not serve "rm"/);
  });

  it('notifychanges: READY, then the new value of a ref that moved', async () => {
    const host = await hostRepo('host4');
    const child = spawn(shell, ['notifychanges', host], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    const until = async (re: RegExp): Promise<void> => {
      for (let i = 0; i < 200 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 50));
      assert.match(out, re);
    };
    await until(/^READY\n/);
    const head = git(host, 'rev-parse', 'HEAD').trim();
    git(host, 'update-ref', 'refs/heads/elsewhere', head);
    await until(new RegExp(`CHANGED ${head}`));
    child.stdin.end();
    await new Promise((r) => child.once('exit', r));
  });

  it('is an ssh remote for a Ferry client too: clone, content both ways', async () => {
    const host = await hostRepo('host2');
    const client = join(tmp.path, 'client2');
    git(tmp.path, 'init', '-q', '-b', 'main', client);
    await ferryOk(client, 'init', 'laptop');
    git(client, 'remote', 'add', 'host', `ferryhost:${host}`);
    useFerryShell(client, 'host');
    await ferryOk(client, 'sync');
    await ferryOk(client, 'get', 'photo.jpg');
    assert.deepEqual(readFileSync(join(client, 'photo.jpg')), bytes(300_000, 7));
    writeFileSync(join(client, 'notes.txt'), 'from the laptop\n');
    await ferryOk(client, 'add', 'notes.txt');
    await ferryOk(client, 'copy', '--to', 'host', 'notes.txt');
    // again: the host's answer to the PUT says it has it (no question asked first)
    const again = await ferryOk(client, 'copy', '--to', 'host', 'notes.txt');
    assert.match(again.out + again.err, /already on host/);
    writeFileSync(served, '');
    await ferryOk(client, 'sync');
    assert.ok(requests().includes('git-receive-pack'), requests().join(','));
    const key = keyOf(client, 'notes.txt');
    const fsck = gitStatus(host, 'annex', 'fsck', '--key', key);
    assert.equal(fsck.status, 0, fsck.stderr + fsck.stdout);
    assert.match(git(host, 'log', '--oneline', 'refs/heads/synced/main'), /./);
  });
});

function keyOf(repo: string, file: string): string {
  return git(repo, 'annex', 'lookupkey', file).trim();
}
