/**
 * A remote that sends crafted trees (an empty name, `..`, `.git` spellings) must never make Ferry
 * write outside the work tree or into `.git`, and one bad ref must not stop the rest of a sync.
 */
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { lsTree, starClones } from '../helpers/clones';
import { blob, commitOnBranch, rawTree, topEntries, type RawEntry } from '../helpers/hostile';
import { assertGitFsck, ferry, ferryOk, git, tempDir } from '../helpers/repos';

function hooks(repo: string): string[] {
  return readdirSync(join(repo, '.git', 'hooks')).filter((n) => !n.endsWith('.sample'));
}

/** A victim V syncing with the attacker's clone E (remote "evil") and an honest clone H. */
async function setup(root: string): Promise<{ v: string; e: string; h: string; outside: string }> {
  mkdirSync(root, { recursive: true });
  const c = await starClones(root, ['V', 'E', 'H']);
  const outside = join(root, 'outside');
  mkdirSync(outside);
  const v = c.V ?? '';
  git(v, 'remote', 'rename', 'E', 'evil');
  return { v, e: c.E ?? '', h: c.H ?? '', outside };
}

/** The empty-name attack: `""/<link>` a symlink to `target`, then `<link>/<file>` a real file. */
function emptyNameTree(
  e: string,
  link: string,
  target: string,
  file: string,
  mode = '100644',
): string {
  const linkTree = rawTree(e, [{ mode: '120000', name: link, oid: blob(e, target) }]);
  const payloadDir = rawTree(e, [{ mode, name: file, oid: blob(e, '#!/bin/sh\necho pwned\n') }]);
  const entries: RawEntry[] = [
    { mode: '40000', name: '', oid: linkTree },
    ...topEntries(e),
    { mode: '40000', name: link, oid: payloadDir },
  ];
  return rawTree(e, entries);
}

describe('a crafted tree from a remote', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('an empty name with a symlink to a folder outside writes nothing there; the sync says which remote and ref failed', async () => {
    const { v, e, outside } = await setup(join(tmp.path, 'a'));
    commitOnBranch(e, emptyNameTree(e, 'evil', outside, 'payload'));
    const head = git(v, 'rev-parse', 'HEAD').trim();
    const r = await ferry(v, 'sync');
    assert.notEqual(r.code, 0, 'a sync that refused a ref does not say ok');
    assert.doesNotMatch(r.out, /sync ok/);
    assert.match(r.out + r.err, /evil/);
    assert.match(r.out + r.err, /refs\/heads\/master/);
    assert.match(r.out + r.err, /empty name/);
    assert.deepEqual(readdirSync(outside), []);
    assert.equal(git(v, 'rev-parse', 'HEAD').trim(), head);
    assert.equal(existsSync(join(v, 'evil')), false);
    assertGitFsck(v);
  });

  it('the same with a link to .git/hooks plants no hook (relative and absolute targets)', async () => {
    for (const [i, target] of ['.git/hooks', 'ABS'].entries()) {
      const { v, e } = await setup(join(tmp.path, `hooks${i}`));
      const before = hooks(v);
      const to = target === 'ABS' ? join(v, '.git', 'hooks') : target;
      commitOnBranch(e, emptyNameTree(e, 'h', to, 'post-commit', '100755'));
      const r = await ferry(v, 'sync');
      assert.notEqual(r.code, 0);
      assert.deepEqual(hooks(v), before, `no hook planted (${target})`);
      assert.equal(existsSync(join(v, 'h')), false);
    }
  });

  it('deeper in the tree, and with "..", ".git" spellings, the ref is refused and nothing is written', async () => {
    const { v, e, outside } = await setup(join(tmp.path, 'deep'));
    const names = ['..', '.', '.GIT', '.git.', 'git~1', '.g\u200cit', 'a/b'];
    for (const name of names) {
      const inner = rawTree(e, [{ mode: '100644', name, oid: blob(e, 'x\n') }]);
      const sub = rawTree(e, [{ mode: '40000', name: 'sub', oid: inner }]);
      commitOnBranch(
        e,
        rawTree(e, [...topEntries(e, 'master'), { mode: '40000', name: 'deep', oid: sub }]),
      );
      const r = await ferry(v, 'sync');
      assert.notEqual(r.code, 0, `refused: ${JSON.stringify(name)}`);
      assert.match(r.out + r.err, /refused/);
      assert.equal(existsSync(join(v, 'deep')), false);
      git(e, 'reset', '-q', '--hard', 'HEAD~1');
    }
    assert.deepEqual(readdirSync(outside), []);
    assertGitFsck(v);
  });

  it('a bad commit pushed into our own synced/master fails alone: an honest remote still syncs', async () => {
    const { v, h, outside } = await setup(join(tmp.path, 'own'));
    // the attacker pushed straight into V (any remote can push to synced/master)
    const bad = emptyNameTree(v, 'evil', outside, 'payload');
    commitOnBranch(v, bad, 'refs/heads/synced/master', 'HEAD');
    writeFileSync(join(h, 'honest.txt'), 'from an honest clone\n');
    await ferryOk(h, 'add', 'honest.txt');
    git(v, 'remote', 'add', 'honest', h);
    const r = await ferry(v, 'sync');
    assert.notEqual(r.code, 0);
    assert.match(r.out + r.err, /synced\/master/);
    assert.ok(
      lsTree(v).includes('honest.txt'),
      `the honest commit was merged:\n${r.out}\n${r.err}`,
    );
    assert.ok(lstatSync(join(v, 'honest.txt')).isSymbolicLink());
    assert.deepEqual(readdirSync(outside), []);
    // our own synced/master was moved on to our branch: the next sync is clean
    const again = await ferry(v, 'sync');
    assert.equal(again.code, 0, again.err);
    assert.equal(git(v, 'rev-parse', 'synced/master').trim(), git(v, 'rev-parse', 'HEAD').trim());
  });

  it('a symlink the user has where the incoming tree wants a folder is never written through', async () => {
    const { v, e, outside } = await setup(join(tmp.path, 'local-link'));
    symlinkSync(outside, join(v, 'docs'));
    mkdirSync(join(e, 'docs'));
    writeFileSync(join(e, 'docs', 'readme.txt'), 'incoming\n');
    await ferryOk(e, 'add', 'docs');
    await ferry(v, 'sync');
    assert.deepEqual(readdirSync(outside), []);
  });
});
