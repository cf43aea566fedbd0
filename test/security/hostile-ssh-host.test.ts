/**
 * A hostile ssh host (its git-annex-shell replaced through remote.<name>.annex-shell, on the
 * real sshd): an absurd DATA length, a never-ending line, wrong bytes marked VALID, another
 * repository's UUID, keys that would name paths. Each is refused with a clear error, memory
 * stays bounded, and nothing is written outside .git/annex/tmp (nothing reaches the store).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findObject } from '../../src/engine/annex/object-store';
import { openRepository } from '../../src/engine/annex/repository';
import { findRemote } from '../../src/engine/remotes/git-remotes';
import { SshRemote } from '../../src/engine/remotes/ssh';
import { ferryOk, git, tempDir } from '../helpers/repos';
import { hasSshd, startSshd, type TestSshd } from '../helpers/sshd';

const SCRIPT = resolve(import.meta.dirname, '../fixtures/hostile-annex-shell.mjs');

describe('a hostile ssh host', { skip: hasSshd() ? false : 'no sshd' }, () => {
  const tmp = tempDir();
  let sshd: TestSshd;
  const saved = process.env.GIT_SSH_COMMAND;
  const a = join(tmp.path, 'A');
  const host = join(tmp.path, 'host');
  const content = Buffer.alloc(100_000, 5);
  const key = `SHA256E-s${content.length}--${createHash('sha256').update(content).digest('hex')}.bin`;
  before(async () => {
    sshd = await startSshd();
    process.env.GIT_SSH_COMMAND = sshd.env.GIT_SSH_COMMAND;
    git(tmp.path, 'init', '-q', host);
    git(host, 'annex', 'init', '-q', 'host');
    git(tmp.path, 'init', '-q', a);
    await ferryOk(a, 'init', 'A');
    git(a, 'remote', 'add', 'host', `ferryhost:${host}`);
    git(a, 'config', 'remote.host.annex-uuid', git(host, 'config', 'annex.uuid').trim());
  });
  after(async () => {
    process.env.GIT_SSH_COMMAND = saved;
    await sshd.stop();
    tmp.cleanup();
  });

  async function remoteIn(mode: string): Promise<SshRemote> {
    git(a, 'config', 'remote.host.annex-shell', `node ${SCRIPT} ${mode}`);
    const ours = await openRepository(a);
    return SshRemote.open(ours, await findRemote(ours, 'host'));
  }

  function nothingStored(): void {
    const tmpDir = join(a, '.git', 'annex', 'tmp');
    const left = existsSync(tmpDir) ? readdirSync(tmpDir) : [];
    assert.deepEqual(left, [], 'no partial copy of a refused transfer is kept');
  }

  it('an absurd DATA length is refused before a byte is written', async () => {
    const remote = await remoteIn('absurd-data');
    const ours = await openRepository(a);
    await assert.rejects(remote.retrieve(key, ours), /at most 100000 were possible/);
    assert.equal(await findObject(ours, key), undefined);
    nothingStored();
  });

  it('a line that never ends is cut off, memory bounded', async () => {
    const remote = await remoteIn('endless-line');
    const ours = await openRepository(a);
    const before = process.memoryUsage().rss;
    await assert.rejects(remote.retrieve(key, ours), /longer than|expected DATA/);
    assert.ok(process.memoryUsage().rss - before < 100 << 20, 'memory stayed bounded');
    assert.equal(await findObject(ours, key), undefined);
  });

  it('wrong bytes marked VALID do not count, and the partial copy is discarded', async () => {
    const remote = await remoteIn('wrong-bytes');
    const ours = await openRepository(a);
    await assert.rejects(remote.retrieve(key, ours), /does not match its checksum/);
    assert.equal(await findObject(ours, key), undefined);
    nothingStored();
    assert.equal(await remote.checkCopy(key, true), false, 'a thorough check sees it too');
  });

  it('more bytes than the key holds are refused', async () => {
    const remote = await remoteIn('too-many-bytes');
    const ours = await openRepository(a);
    await assert.rejects(remote.retrieve(key, ours));
    assert.equal(await findObject(ours, key), undefined);
    nothingStored();
  });

  it('another repository answering for the host is refused', async () => {
    const remote = await remoteIn('wrong-uuid');
    await assert.rejects(remote.hasKey(key), /not the/);
  });

  it('keys that would name paths never reach the file system or the wire', async () => {
    const remote = await remoteIn('wrong-bytes');
    const ours = await openRepository(a);
    for (const bad of [
      'SHA256E-s5--../../../etc/passwd',
      'SHA256E-s5--a/b',
      `${key}\nREMOVE ${key}`,
    ]) {
      await assert.rejects(remote.retrieve(bad, ours));
    }
    await assert.rejects(remote.hasKey(`${key}\nREMOVE ${key}`), /newline/);
    assert.ok(!existsSync(join(a, '.git', 'etc')));
    writeFileSync(join(tmp.path, 'done'), '');
  });
});
