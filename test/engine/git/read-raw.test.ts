/**
 * Reading objects for a push or a bundle: loose objects (as git and git-annex write them) and
 * packed ones (as Ferry writes them) read the same, and a loose object whose bytes were damaged
 * is refused, never sent on.
 */
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import { readRaw } from '../../../src/engine/git/bundle';
import { gitContext } from '../../../src/engine/git/context';
import { isFerryError } from '../../../src/engine/errors';
import { git, tempDir } from '../../helpers/repos';

describe('reading raw objects', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('reads loose and packed objects alike, and refuses a damaged loose one', async () => {
    const dir = join(tmp.path, 'r');
    git(tmp.path, 'init', '-q', '-b', 'main', dir);
    writeFileSync(join(dir, 'a.txt'), 'loose content\n');
    writeFileSync(join(dir, 'b.txt'), 'packed content\n');
    const loose = git(dir, 'hash-object', '-w', 'a.txt').trim();
    const packed = git(dir, 'hash-object', '-w', 'b.txt').trim();
    git(dir, 'add', 'b.txt');
    git(dir, 'commit', '-qm', 'b');
    git(dir, 'repack', '-adq');
    // the packed one is loose no more; a.txt's blob is loose again after the repack
    git(dir, 'hash-object', '-w', 'a.txt');
    const ctx = gitContext(dir, join(dir, '.git'), false);
    assert.deepEqual(await readRaw(ctx, loose), {
      type: 'blob',
      content: Buffer.from('loose content\n'),
    });
    assert.deepEqual(await readRaw(ctx, packed), {
      type: 'blob',
      content: Buffer.from('packed content\n'),
    });
    const tree = git(dir, 'rev-parse', 'HEAD^{tree}').trim();
    assert.equal((await readRaw(ctx, tree)).type, 'tree');
    // damaged: the bytes of another content under this name
    const path = join(dir, '.git', 'objects', loose.slice(0, 2), loose.slice(2));
    chmodSync(path, 0o644);
    writeFileSync(path, deflateSync(Buffer.from('blob 14\0tampered text!\n')));
    await assert.rejects(readRaw(ctx, loose), (e: unknown) => isFerryError(e, 'bad-object'));
  });
});
