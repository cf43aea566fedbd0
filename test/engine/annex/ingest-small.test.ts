/**
 * The add of a small file from the bytes already read: it stores exactly the file that was read
 * and hands anything that changed meanwhile back to the general path, leaving nothing behind.
 * Real repositories; git-annex checks the results.
 */
import assert from 'node:assert/strict';
import {
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ingestRead, readSmallFile } from '../../../src/engine/annex/ingest-small';
import { findObject, moveIntoStore } from '../../../src/engine/annex/object-store';
import { symlinkTarget } from '../../../src/engine/annex/paths';
import { openRepository } from '../../../src/engine/annex/repository';
import { syncOps } from '../../../src/engine/os/fs-ops';
import { ferryOk, git, gitStatus, tempDir } from '../../helpers/repos';

const how = (mode: 'locked' | 'unlocked', rel: string) => ({
  backend: 'SHA256E' as const,
  mode,
  thin: false,
  symlinkFor: (k: string) => symlinkTarget(rel, k),
});

async function fresh(name: string): Promise<{ dir: string; cleanup: () => void }> {
  const t = tempDir(`ferry-ingest-${name}-`);
  git(t.path, 'init', '-q');
  await ferryOk(t.path, 'init', name);
  return { dir: t.path, cleanup: t.cleanup };
}

describe('ingestRead', () => {
  const cleanups: (() => void)[] = [];
  after(() => cleanups.forEach((c) => c()));

  /** A new repository with one file, its lstat and its bytes as `ferry add` reads them. */
  async function readOne(name: string, file: string, text: string) {
    const { dir, cleanup } = await fresh(name);
    cleanups.push(cleanup);
    const abs = join(dir, file);
    writeFileSync(abs, text);
    const before = lstatSync(abs, { bigint: true });
    const bytes = readSmallFile(abs, Number(before.size));
    assert.ok(bytes);
    return { dir, abs, before, bytes, repo: await openRepository(dir) };
  }

  it('stores a locked file from the bytes read, and git-annex finds the object good', async () => {
    const { dir, abs, before, bytes, repo } = await readOne(
      'locked',
      'a.txt',
      'hello small file\n',
    );
    const got = await ingestRead(repo, abs, 'a.txt', before, bytes, how('locked', 'a.txt'));
    assert.ok(got, 'stored');
    assert.equal(readlinkSync(abs), symlinkTarget('a.txt', got.key));
    const object = await findObject(repo, got.key);
    assert.ok(object);
    assert.equal(readFileSync(object, 'utf8'), 'hello small file\n');
    assert.equal(statSync(object).mode & 0o777, 0o444, 'frozen');
    assert.deepEqual(readdirSync(join(dir, '.git/annex/tmp')), [], 'nothing left in tmp');
    git(dir, 'add', 'a.txt');
    git(dir, 'commit', '-q', '-m', 'a');
    const fsck = gitStatus(dir, 'annex', 'fsck', '--fast', 'a.txt');
    assert.equal(fsck.status, 0, fsck.stdout + fsck.stderr);
  });

  it('hands back a file written after its stat, and leaves it and the store as they were', async () => {
    const { dir, abs, before, bytes, repo } = await readOne('changed', 'b.txt', 'first\n');
    writeFileSync(abs, 'second\n');
    utimesSync(abs, new Date(), new Date(Date.now() + 5000)); // a later mtime even on a coarse clock
    const got = await ingestRead(repo, abs, 'b.txt', before, bytes, how('locked', 'b.txt'));
    assert.equal(got, undefined);
    assert.equal(readFileSync(abs, 'utf8'), 'second\n');
    assert.ok(lstatSync(abs).isFile(), 'still a file, not a link');
    assert.deepEqual(readdirSync(join(dir, '.git/annex/tmp')), []);
    assert.deepEqual(readdirSync(join(dir, '.git/annex/objects')), []);
  });

  it('refuses bytes that are not all of the file', async () => {
    const { dir, cleanup } = await fresh('short');
    cleanups.push(cleanup);
    const abs = join(dir, 'c.txt');
    writeFileSync(abs, 'three\n');
    const before = lstatSync(abs, { bigint: true });
    const repo = await openRepository(dir);
    const got = await ingestRead(
      repo,
      abs,
      'c.txt',
      before,
      Buffer.from('thr'),
      how('locked', 'c.txt'),
    );
    assert.equal(got, undefined);
    assert.ok(lstatSync(abs).isFile());
    assert.equal(readSmallFile(abs, 2), undefined, 'a file longer than told is not read as small');
  });

  it('stores an unlocked file as a copy of the bytes hashed and leaves the file alone', async () => {
    const { abs, before, bytes, repo } = await readOne('unlocked', 'd.txt', 'unlocked bytes\n');
    const got = await ingestRead(repo, abs, 'd.txt', before, bytes, how('unlocked', 'd.txt'));
    assert.ok(got);
    const object = await findObject(repo, got.key);
    assert.ok(object);
    assert.equal(readFileSync(object, 'utf8'), 'unlocked bytes\n');
    assert.notEqual(statSync(object).ino, statSync(abs).ino, 'a copy, not a link');
    assert.equal(lstatSync(abs, { bigint: true }).mtimeNs, before.mtimeNs, 'file untouched');
  });

  it('makes a hash folder again when it vanished after being seen', async () => {
    const { dir, cleanup } = await fresh('vanished');
    cleanups.push(cleanup);
    const repo = await openRepository(dir);
    const abs = join(dir, 'e.txt');
    writeFileSync(abs, 'e\n');
    const before = lstatSync(abs, { bigint: true });
    const got = await ingestRead(
      repo,
      abs,
      'e.txt',
      before,
      Buffer.from('e\n'),
      how('locked', 'e.txt'),
    );
    assert.ok(got);
    const object = await findObject(repo, got.key);
    assert.ok(object);
    // someone else drops it and removes its folders; the same key comes in again
    const hashDir = dirname(dirname(object));
    await syncOps.chmod(dirname(object), 0o755);
    rmSync(hashDir, { recursive: true, force: true });
    const tmp = join(dir, '.git/annex/tmp/again');
    writeFileSync(tmp, 'e\n');
    const stored = await moveIntoStore(repo, got.key, tmp, { ops: syncOps });
    assert.equal(stored, object);
    assert.equal(readFileSync(stored, 'utf8'), 'e\n');
  });
});
