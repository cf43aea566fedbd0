/** `ferry clone` from an ssh host and from a local path: a git-annex repository ready to sync. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { lsTree } from '../helpers/clones';
import { ferry, ferryOk, git, tempDir } from '../helpers/repos';
import { hasSshd, startSshd, type TestSshd } from '../helpers/sshd';

describe('ferry clone', { skip: hasSshd() ? false : 'no sshd' }, () => {
  const tmp = tempDir();
  let sshd: TestSshd;
  const saved = process.env.GIT_SSH_COMMAND;
  const host = join(tmp.path, 'srv', 'photos');
  let hostUuid = '';
  before(async () => {
    sshd = await startSshd();
    process.env.GIT_SSH_COMMAND = sshd.env.GIT_SSH_COMMAND;
    mkdirSync(join(tmp.path, 'srv'));
    git(tmp.path, 'init', '-q', host);
    git(host, 'annex', 'init', '-q', 'nas');
    writeFileSync(join(host, 'beach.jpg'), Buffer.alloc(50_000, 9));
    mkdirSync(join(host, 'album'));
    writeFileSync(join(host, 'album', 'notes.txt'), 'notes\n');
    git(host, 'annex', 'add', '-q', '.');
    git(host, 'commit', '-qm', 'photos');
    hostUuid = git(host, 'config', 'annex.uuid').trim();
  });
  after(async () => {
    process.env.GIT_SSH_COMMAND = saved;
    await sshd.stop();
    tmp.cleanup();
  });

  it('clones over ssh: the tree, the origin UUID, a default description; content on demand', async () => {
    const r = await ferryOk(tmp.path, 'clone', `ferryhost:${host}`);
    const dir = join(tmp.path, 'photos');
    assert.match(r.out, /clone ok/);
    assert.deepEqual(lsTree(dir).sort(), ['album/notes.txt', 'beach.jpg']);
    assert.equal(git(dir, 'config', 'remote.origin.annex-uuid').trim(), hostUuid);
    assert.equal(git(dir, 'config', 'annex.version').trim(), '10');
    const uuidLog = git(dir, 'show', 'git-annex:uuid.log');
    assert.ok(uuidLog.includes(`@${hostname()}:${dir}`), uuidLog);
    assert.ok(uuidLog.includes('nas'), 'the origin is known by its description');
    await ferryOk(dir, 'get', '--from', 'origin', 'beach.jpg');
    assert.deepEqual(readFileSync(join(dir, 'beach.jpg')), Buffer.alloc(50_000, 9));
    // git-annex accepts the clone
    git(dir, 'annex', 'fsck', '-q', 'beach.jpg');
    assert.match(git(dir, 'annex', 'whereis', 'beach.jpg'), new RegExp(hostUuid));
  });

  it('the installed ferry exits as soon as an ssh command is done (pooled sessions do not hold it)', () => {
    const dir = join(tmp.path, 'photos');
    git(dir, 'annex', 'drop', '-q', '--force', 'beach.jpg');
    const r = spawnSync(
      process.execPath,
      [resolve('bin/ferry.mjs'), 'get', '--from', 'origin', 'beach.jpg'],
      {
        cwd: dir,
        env: process.env,
        encoding: 'utf8',
        // a process held open by its idle sessions would be killed here and fail
        timeout: 20_000,
      },
    );
    assert.equal(r.status, 0, `${r.stderr}${String(r.error ?? '')}`);
    assert.deepEqual(readFileSync(join(dir, 'beach.jpg')), Buffer.alloc(50_000, 9));
  });

  it('clones a local path into a named folder, with a description', async () => {
    await ferryOk(tmp.path, 'clone', host, 'local-copy', '--description', 'laptop');
    const dir = join(tmp.path, 'local-copy');
    assert.deepEqual(lsTree(dir).sort(), ['album/notes.txt', 'beach.jpg']);
    assert.match(git(dir, 'show', 'git-annex:uuid.log'), /laptop/);
  });

  it('refuses a folder in use, and names the host and path that are not a repository', async () => {
    mkdirSync(join(tmp.path, 'busy'));
    writeFileSync(join(tmp.path, 'busy', 'x'), 'x');
    const busy = await ferry(tmp.path, 'clone', `ferryhost:${host}`, 'busy');
    assert.notEqual(busy.code, 0);
    assert.match(busy.err, /not empty/);
    const missing = await ferry(tmp.path, 'clone', `ferryhost:${join(tmp.path, 'nothing')}`, 'x');
    assert.notEqual(missing.code, 0);
    assert.match(missing.err, /nothing/);
  });
});
