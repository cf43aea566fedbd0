/**
 * Reading objects for a push or a bundle: loose objects (as git and git-annex write them) and
 * packed ones (as Ferry writes them) read the same, and a loose object whose bytes were damaged
 * is refused, never sent on.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import { readRaw } from '../../../src/engine/git/bundle';
import { gitContext } from '../../../src/engine/git/context';
import { readCommitInfo, readTree } from '../../../src/engine/git/read';
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

  for (const offsets of [true, false]) {
    it(`reads every object of a packed history with deltas (${offsets ? 'OFS' : 'REF'}_DELTA), as git reads them`, async () => {
      const dir = join(tmp.path, `deltas-${offsets}`);
      git(tmp.path, 'init', '-q', '-b', 'main', dir);
      let text = '';
      for (let i = 0; i < 12; i++) {
        text += `line ${i}: ${'some words that repeat '.repeat(20)}\n`;
        writeFileSync(join(dir, 'notes.txt'), text);
        writeFileSync(join(dir, `f${i % 3}.txt`), `${text}${i}\n`);
        git(dir, 'add', '-A');
        git(dir, 'commit', '-qm', `round ${i}\n\nwith a body`);
      }
      git(dir, '-c', `repack.useDeltaBaseOffset=${offsets}`, 'repack', '-adfq', '--depth=8');
      const listed = git(dir, 'cat-file', '--batch-all-objects', '--batch-check')
        .trim()
        .split('\n')
        .map((l) => l.split(' '));
      const ctx = gitContext(dir, join(dir, '.git'), false);
      for (const [oid = '', type = ''] of listed) {
        const got = await readRaw(ctx, oid);
        assert.equal(got.type, type);
        const want = execFileSync('git', ['cat-file', type, oid], { cwd: dir });
        assert.ok(got.content.equals(want), `${type} ${oid} reads as git reads it`);
      }
      const head = git(dir, 'rev-parse', 'HEAD').trim();
      const info = await readCommitInfo(ctx, head);
      assert.equal(info.tree, git(dir, 'rev-parse', 'HEAD^{tree}').trim());
      assert.deepEqual(info.parents, [git(dir, 'rev-parse', 'HEAD~1').trim()]);
      assert.equal(info.message, 'round 11\n\nwith a body\n');
      const names = (await readTree(ctx, info.tree)).map((e) => e.path);
      assert.deepEqual(names, ['f0.txt', 'f1.txt', 'f2.txt', 'notes.txt']);
      // a pack whose bytes were damaged (in a copy: packs never change in place) is refused,
      // object by object, never read as good
      const copy = join(tmp.path, `damaged-${offsets}`);
      cpSync(dir, copy, { recursive: true });
      const packDir = join(copy, '.git', 'objects', 'pack');
      const pack = readdirSync(packDir).find((n) => n.endsWith('.pack'));
      const packPath = join(packDir, pack ?? '');
      const bytes = readFileSync(packPath);
      for (let i = 200; i < bytes.length - 40; i += 97) bytes[i] = (bytes[i] ?? 0) ^ 0x55;
      chmodSync(packPath, 0o644);
      writeFileSync(packPath, bytes);
      const fresh = gitContext(copy, join(copy, '.git'), false);
      let refused = 0;
      for (const [oid = ''] of listed) {
        await readRaw(fresh, oid).then(
          () => undefined,
          (e: unknown) => {
            assert.ok(isFerryError(e, 'bad-object'), `${oid}: ${String(e)} ${(e as Error).stack}`);
            refused++;
          },
        );
      }
      assert.ok(refused > 0);
    });
  }
});
