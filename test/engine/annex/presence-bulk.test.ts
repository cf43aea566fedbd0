/**
 * Location-log changes of a command moving many files, written in batches straight to the
 * branch: nothing before its batch is written, every change after, one commit per batch, and
 * git-annex reads them.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AnnexBranch } from '../../../src/engine/annex/branch';
import { setPresence, whereIs } from '../../../src/engine/annex/content';
import { keyOfBuffer } from '../../../src/engine/annex/key';
import { PresenceBulk } from '../../../src/engine/annex/presence-bulk';
import { openRepository } from '../../../src/engine/annex/repository';
import { annexWhereisUuids, ferryRepository, git, tempDir } from '../../helpers/repos';

describe('location logs in batches', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('writes a batch when it fills and the rest at the flush, one commit each', async () => {
    const dir = await ferryRepository(join(tmp.path, 'a'), 'a', { 'f.txt': 'f\n' });
    const repo = await openRepository(dir);
    const branch = new AnnexBranch(repo);
    const other = '11111111-2222-4333-8444-555555555555';
    const third = '21111111-2222-4333-8444-555555555555';
    const keys = Array.from({ length: 5 }, (_, i) =>
      keyOfBuffer('SHA256E', `k${i}.bin`, Buffer.from(`key ${i}`)),
    );
    const commits = (): number => Number(git(dir, 'rev-list', '--count', 'git-annex').trim());
    const before = commits();
    const bulk = new PresenceBulk(3);
    await bulk.add(branch, keys[0] as string, other);
    await bulk.add(branch, keys[1] as string, other);
    assert.deepEqual(await whereIs(branch, keys[0] as string), [], 'not written before its batch');
    await bulk.add(branch, keys[1] as string, third); // the third change fills the batch
    assert.deepEqual(await whereIs(branch, keys[1] as string), [other, third].sort());
    assert.equal(commits(), before + 1);
    for (const k of keys.slice(2)) await bulk.add(branch, k, other);
    await bulk.add(branch, keys[4] as string, other); // the same change twice counts once
    await bulk.flush();
    await bulk.flush(); // nothing left: no empty commit
    assert.ok(commits() <= before + 3, `${commits() - before} commits`);
    for (const k of keys) assert.ok((await whereIs(branch, k)).includes(other), k);
    // git-annex reads what was written
    const fKey = git(dir, 'annex', 'lookupkey', 'f.txt').trim();
    await bulk.add(branch, fKey, other);
    await bulk.flush();
    assert.deepEqual(annexWhereisUuids(dir, 'f.txt'), [other, repo.uuid].sort());
  });

  it('in the background, counts what is gathered as held until it is written, then says so', async () => {
    const dir = await ferryRepository(join(tmp.path, 'b'), 'b', { 'g.txt': 'g\n' });
    const branch = new AnnexBranch(await openRepository(dir));
    const other = '31111111-2222-4333-8444-555555555555';
    const keys = Array.from({ length: 3 }, (_, i) =>
      keyOfBuffer('SHA256E', `b${i}.bin`, Buffer.from(`bg ${i}`)),
    );
    let written = 0;
    const bulk = new PresenceBulk(2, { afterMs: 30, background: true, onWritten: () => written++ });
    await bulk.add(branch, keys[0] as string, other);
    assert.deepEqual(
      bulk.pendingFor(branch, keys[0] as string),
      [other],
      'gathered counts as held',
    );
    assert.deepEqual(await whereIs(branch, keys[0] as string), []);
    // filling the batch does not wait for its write
    await bulk.add(branch, keys[1] as string, other);
    assert.deepEqual(
      bulk.pendingFor(branch, keys[1] as string),
      [other],
      'held while being written',
    );
    await bulk.add(branch, keys[2] as string, other); // written by the timer
    const deadline = Date.now() + 10_000;
    while (written < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(written, 2);
    for (const k of keys) {
      assert.deepEqual(await whereIs(branch, k), [other], k);
      assert.deepEqual(bulk.pendingFor(branch, k), [], 'nothing pending once written');
    }
  });

  it('never writes a copy over a drop recorded after it was gathered, and spaces timed batches', async () => {
    const dir = await ferryRepository(join(tmp.path, 'c'), 'c', { 'h.txt': 'h\n' });
    const branch = new AnnexBranch(await openRepository(dir));
    const other = '41111111-2222-4333-8444-555555555555';
    const [dropped, kept, later] = Array.from({ length: 3 }, (_, i) =>
      keyOfBuffer('SHA256E', `c${i}.bin`, Buffer.from(`drop ${i}`)),
    ) as [string, string, string];
    let written = 0;
    const t0 = Date.now();
    const bulk = new PresenceBulk(100, {
      afterMs: 10,
      minGapMs: 400,
      background: true,
      onWritten: () => written++,
    });
    await bulk.add(branch, dropped, other);
    await bulk.add(branch, kept, other);
    // the content went away before the batch was written (a drop, in this process or another)
    await new Promise((r) => setTimeout(r, 2));
    await setPresence(branch, dropped, other, false);
    const deadline = Date.now() + 10_000;
    while (written < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(await whereIs(branch, dropped), [], 'the drop stays the newer change');
    assert.deepEqual(await whereIs(branch, kept), [other]);
    // the next batch made by the timer waits for the gap after the one before (begun after t0)
    await bulk.add(branch, later, other);
    while (written < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.equal(written, 2);
    assert.ok(Date.now() - t0 >= 400, `the second batch ${Date.now() - t0} ms after the first`);
    assert.deepEqual(await whereIs(branch, later), [other]);
  });
});
