/**
 * Work-tree writes of this process (a merge, arriving content) are known as such only while
 * the file is exactly as written: any later write, by anyone, makes it a change again.
 */
import assert from 'node:assert/strict';
import { appendFileSync, lstatSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isAsWeLeftIt, noteRemoved, noteWritten } from '../../../src/engine/annex/own-writes';
import { tempDir } from '../../helpers/repos';

describe('own work-tree writes', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('are ours while untouched, and a change once anyone writes again', () => {
    const path = join(tmp.path, 'merged.txt');
    assert.equal(isAsWeLeftIt(path), false, 'never written by us');
    writeFileSync(path, 'from the merge\n');
    noteWritten(path, lstatSync(path, { bigint: true }));
    assert.equal(isAsWeLeftIt(path), true);
    assert.equal(isAsWeLeftIt(path), true, 'a second event about the same write');
    appendFileSync(path, 'and an edit\n');
    assert.equal(isAsWeLeftIt(path), false, 'edited after');
    writeFileSync(path, 'from the merge\n');
    assert.equal(isAsWeLeftIt(path), false, 'forgotten once it changed');

    const gone = join(tmp.path, 'removed.txt');
    rmSync(gone, { force: true });
    noteRemoved(gone);
    assert.equal(isAsWeLeftIt(gone), true);
    writeFileSync(gone, 'made again\n');
    assert.equal(isAsWeLeftIt(gone), false, 'made again after we removed it');
  });
});
