/** The content store: verified receives, resume, corrupt sources, and drops under locks. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { keyOfBuffer } from '../../../src/engine/annex/key';
import {
  dropObject,
  findObject,
  lockContent,
  tmpPath,
} from '../../../src/engine/annex/object-store';
import { receiveFromFile } from '../../../src/engine/annex/receive';
import { openRepository, type Repository } from '../../../src/engine/annex/repository';
import { isFerryError } from '../../../src/engine/errors';
import { ferryOk, tempDir } from '../../helpers/repos';

describe('receiving content into the store', () => {
  const tmp = tempDir();
  let repo: Repository;
  const content = Buffer.alloc(3_000_000);
  for (let i = 0; i < content.length; i++) content[i] = (i * 31) % 251;
  const key = keyOfBuffer('SHA256E', 'big.bin', content);
  const source = join(tmp.path, 'source.bin');

  before(async () => {
    mkdirSync(join(tmp.path, 'r'));
    await ferryOk(join(tmp.path, 'r'), 'init', 'store');
    repo = await openRepository(join(tmp.path, 'r'));
    writeFileSync(source, content);
  });
  after(() => tmp.cleanup());

  it('refuses a source whose bytes do not match the key, leaving no object and no temp file', async () => {
    const bad = join(tmp.path, 'bad.bin');
    const corrupt = Buffer.from(content);
    corrupt[1000] = (corrupt[1000] ?? 0) ^ 0xff;
    writeFileSync(bad, corrupt);
    await assert.rejects(receiveFromFile(repo, key, bad), (e) =>
      isFerryError(e, 'checksum-mismatch'),
    );
    assert.equal(await findObject(repo, key), undefined);
    assert.equal(existsSync(tmpPath(repo, key)), false);
  });

  it('resumes a partial download, reporting progress from where it stopped', async () => {
    const partial = tmpPath(repo, key);
    mkdirSync(join(partial, '..'), { recursive: true });
    writeFileSync(partial, content.subarray(0, 1_000_000));
    const seen: number[] = [];
    const object = await receiveFromFile(repo, key, source, { onProgress: (n) => seen.push(n) });
    assert.equal(seen[0], 1_000_000, 'starts at the partial size');
    assert.equal(seen[seen.length - 1], content.length);
    assert.deepEqual(readFileSync(object), content);
    assert.equal(existsSync(partial), false);
  });

  it('starts over when a partial file was corrupt', async () => {
    await dropObject(repo, key, () => Promise.resolve());
    const partial = tmpPath(repo, key);
    writeFileSync(partial, Buffer.alloc(500_000, 0xee));
    const object = await receiveFromFile(repo, key, source);
    assert.deepEqual(readFileSync(object), content);
  });

  it('never leaves a half-written object under objects/ when the source vanishes mid-copy', async () => {
    await dropObject(repo, key, () => Promise.resolve());
    const controller = new AbortController();
    let aborted = false;
    await assert.rejects(
      receiveFromFile(repo, key, source, {
        signal: controller.signal,
        onProgress: (n) => {
          if (n > 0 && !aborted) {
            aborted = true;
            controller.abort();
          }
        },
      }),
    );
    assert.equal(await findObject(repo, key), undefined);
    const objects = join(repo.annexdir, 'objects');
    const files = existsSync(objects) ? readdirSync(objects, { recursive: true }).map(String) : [];
    assert.ok(!files.some((f) => f.endsWith(key)), 'nothing under objects/');
  });
  it('writes the work-tree copy beside the object as the bytes arrive, only when they are good', async () => {
    await dropObject(repo, key, () => Promise.resolve());
    rmSync(tmpPath(repo, key), { force: true }); // no partial copy left by the test before
    const copy = join(tmp.path, 'copy-good.tmp');
    const object = await receiveFromFile(repo, key, source, { copyTo: copy });
    assert.deepEqual(readFileSync(object), content);
    assert.deepEqual(readFileSync(copy), content, 'the copy holds every byte');
    // bad bytes: no object and no copy; a partial copy to continue: no copy either
    await dropObject(repo, key, () => Promise.resolve());
    const bad = join(tmp.path, 'bad-for-copy.bin');
    const corrupt = Buffer.from(content);
    corrupt[2_999_999] = (corrupt[2_999_999] ?? 0) ^ 0xff;
    writeFileSync(bad, corrupt);
    const badCopy = join(tmp.path, 'copy-bad.tmp');
    await assert.rejects(receiveFromFile(repo, key, bad, { copyTo: badCopy }), (e: unknown) =>
      isFerryError(e, 'checksum-mismatch'),
    );
    assert.equal(existsSync(badCopy), false, 'a copy of bad bytes is removed');
    writeFileSync(tmpPath(repo, key), content.subarray(0, 1_000_000));
    const resumedCopy = join(tmp.path, 'copy-resumed.tmp');
    await receiveFromFile(repo, key, source, { copyTo: resumedCopy });
    assert.equal(existsSync(resumedCopy), false, 'a resumed receive writes no partial copy');
  });
});

describe('dropping content under the content lock', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('refuses while another process holds a POSIX lock on KEY.lck, as git-annex does', async () => {
    const a = join(tmp.path, 'a');
    mkdirSync(a);
    writeFileSync(join(a, 'f.txt'), 'keep me\n');
    await ferryOk(a, 'init');
    await ferryOk(a, 'add', '.');
    const repo = await openRepository(a);
    const key = keyOfBuffer('SHA256E', 'f.txt', Buffer.from('keep me\n'));
    const object = await findObject(repo, key);
    assert.ok(object);
    // Another process (like git-annex relying on this copy) holds a shared POSIX lock.
    const holder = spawn(
      'python3',
      [
        '-c',
        'import fcntl,sys,time; f=open(sys.argv[1],"a+"); fcntl.lockf(f, fcntl.LOCK_SH); print("locked", flush=True); time.sleep(30)',
        `${object}.lck`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await once(holder.stdout, 'data');
      await assert.rejects(
        dropObject(repo, key, () => Promise.resolve()),
        (e) => isFerryError(e, 'lock-busy'),
      );
      assert.ok(await findObject(repo, key), 'content kept');
      const shared = await lockContent(repo, key, 'shared');
      assert.ok(shared, 'a shared lock can still be taken beside it');
      shared.lock.release();
    } finally {
      holder.kill();
      await once(holder, 'exit');
    }
    assert.equal(await dropObject(repo, key, () => Promise.resolve()), true);
    assert.equal(await findObject(repo, key), undefined);
  });
});
