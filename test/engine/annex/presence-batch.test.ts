/**
 * Location-log changes asked for at once are written together, each as asked and in order.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AnnexBranch } from '../../../src/engine/annex/branch';
import { setPresence, whereIs } from '../../../src/engine/annex/content';
import { keyOfBuffer } from '../../../src/engine/annex/key';
import { openRepository } from '../../../src/engine/annex/repository';
import { annexWhereisUuids, ferryRepository, git, tempDir } from '../../helpers/repos';

describe('presence changes of many transfers at once', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('records each one, in the order asked, and git-annex reads them', async () => {
    const dir = await ferryRepository(join(tmp.path, 'a'), 'a', { 'f.txt': 'f\n' });
    const repo = await openRepository(dir);
    const other = '11111111-2222-4333-8444-555555555555';
    const keys = Array.from({ length: 60 }, (_, i) =>
      keyOfBuffer('SHA256E', `k${i}.bin`, Buffer.from(`key ${i}`)),
    );
    // two branch objects (two sessions), one queue: present for all, then gone for the even ones
    const one = new AnnexBranch(repo);
    const two = new AnnexBranch(repo);
    await Promise.all([
      ...keys.map((k, i) => setPresence(i % 2 ? one : two, k, other, true)),
      ...keys.filter((_, i) => i % 2 === 0).map((k) => setPresence(one, k, other, false)),
    ]);
    for (const [i, k] of keys.entries())
      assert.deepEqual(await whereIs(one, k), i % 2 ? [other] : [], k);
    // the f.txt record is git-annex's to read as well, beside ours
    const key = git(dir, 'annex', 'lookupkey', 'f.txt').trim();
    await setPresence(one, key, other, true);
    assert.deepEqual(annexWhereisUuids(dir, 'f.txt'), [other, repo.uuid].sort());
  });
});
