/** The assistant's commit batching rule and which watched paths are changes, as pure functions. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { changedPath, commitBatch, WRITING_QUIET_MS } from '../../../src/engine/sync/commit-batch';

const options = { quietMs: 80, max: 3, maxDelayMs: 5000 };

describe('commit batching', () => {
  it('takes paths quiet long enough, and waits while a burst still arrives', () => {
    const pending = new Map([
      ['a', 0],
      ['b', 950],
    ]);
    // a is quiet, b is not: the burst is still arriving, so wait until b is quiet
    assert.deepEqual(commitBatch(pending, 1000, options), { ready: [], againInMs: 30 });
    assert.deepEqual(commitBatch(pending, 1100, options), {
      ready: ['a', 'b'],
      againInMs: undefined,
    });
    assert.deepEqual(commitBatch(new Map(), 1000, options), { ready: [], againInMs: undefined });
  });

  it('commits a full batch, or what has waited too long, even while a burst goes on', () => {
    const full = new Map([
      ['a', 0],
      ['b', 0],
      ['c', 0],
      ['d', 0],
      ['busy', 990],
    ]);
    assert.deepEqual(commitBatch(full, 1000, options).ready, ['a', 'b', 'c']);
    const old = new Map([
      ['a', 0],
      ['busy', 5990],
    ]);
    assert.deepEqual(commitBatch(old, 6000, options).ready, ['a']);
  });

  it('waits longer for a file that has been changing for a while (still being written)', () => {
    const opts = { quietMs: 80, max: 100, maxDelayMs: 5000 };
    // saved once: quiet after 80 ms
    const saved = new Map([['note.txt', 1000]]);
    const savedFirst = new Map([['note.txt', 1000]]);
    assert.deepEqual(commitBatch(saved, 1100, { ...opts, firstAt: savedFirst }).ready, [
      'note.txt',
    ]);
    // written since 0 and last written at 1000: not at 1100, at 1000 + WRITING_QUIET_MS
    const growing = new Map([['video.mp4', 1000]]);
    const growingFirst = new Map([['video.mp4', 0]]);
    const early = commitBatch(growing, 1100, { ...opts, firstAt: growingFirst });
    assert.deepEqual(early.ready, []);
    assert.equal(early.againInMs, 1000 + WRITING_QUIET_MS - 1100);
    assert.deepEqual(
      commitBatch(growing, 1000 + WRITING_QUIET_MS, { ...opts, firstAt: growingFirst }).ready,
      ['video.mp4'],
    );
  });

  it('leaves out .git and the temporary names Ferry itself writes', () => {
    assert.equal(changedPath('/r', '/r/photos/a.jpg'), 'photos/a.jpg');
    for (const p of [
      '/r',
      '/r/.git/index',
      '/elsewhere/x',
      '/r/d/.ferry-new-0a1b2c3d',
      '/r/d/.ferry-link-0a1b2c3d',
      '/r/d/a.txt.ferry-tmp',
      '/r/d/a.txt.ferry-0a1b2c3d.tmp',
    ])
      assert.equal(changedPath('/r', p), undefined, p);
  });
});
