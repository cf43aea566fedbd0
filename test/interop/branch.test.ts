/**
 * The git-annex branch shared with git-annex: settings written by one are read by the other, and
 * branches fetched from a git-annex clone are union-merged (fast-forward or merge commit).
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AnnexBranch } from '../../src/engine/annex/branch';
import { whereIs } from '../../src/engine/annex/content';
import { keyOfBuffer } from '../../src/engine/annex/key';
import { locationLogPath } from '../../src/engine/annex/paths';
import { openRepository } from '../../src/engine/annex/repository';
import {
  assertGitFsck,
  ferry,
  ferryOk,
  ferryRepository,
  git,
  gitStatus,
  tempDir,
} from '../helpers/repos';

describe('repository settings in the git-annex branch', () => {
  const tmp = tempDir();
  const a = join(tmp.path, 'a');
  after(() => tmp.cleanup());
  before(async () => {
    mkdirSync(a);
    await ferryOk(a, 'init', 'settings');
  });

  it('what Ferry writes, git-annex reads', async () => {
    await ferryOk(a, 'numcopies', '2');
    await ferryOk(a, 'group', 'here', 'client');
    await ferryOk(a, 'wanted', 'here', 'standard');
    await ferryOk(a, 'describe', 'here', 'renamed by ferry');
    await ferryOk(a, 'trust', 'here');
    assert.equal(git(a, 'annex', 'numcopies').trim(), '2');
    assert.equal(git(a, 'annex', 'group', 'here').trim(), 'client');
    assert.equal(git(a, 'annex', 'wanted', 'here').trim(), 'standard');
    const info = JSON.parse(git(a, 'annex', 'info', '--fast', '--json')) as Record<
      string,
      { description: string; here: boolean }[]
    >;
    assert.ok(
      info['trusted repositories']?.some((r) => r.here && r.description === 'renamed by ferry'),
    );
    assertGitFsck(a);
  });

  it('what git-annex writes, Ferry reads', async () => {
    git(a, 'annex', 'numcopies', '3');
    git(a, 'annex', 'group', 'here', 'backup');
    git(a, 'annex', 'wanted', 'here', 'include=*.jpg');
    git(a, 'annex', 'untrust', 'here');
    assert.equal((await ferryOk(a, 'numcopies')).out.trim(), '3');
    assert.equal((await ferryOk(a, 'group', 'here')).out.trim(), 'backup client');
    assert.equal((await ferryOk(a, 'wanted', 'here')).out.trim(), 'include=*.jpg');
    assert.match((await ferryOk(a, 'semitrust', 'here')).out, /semitrusted here: semitrusted ok/);
    assert.equal((await ferry(a, 'numcopies', 'zero')).code, 2);
    const status = JSON.parse((await ferryOk(a, 'status', '--json')).out) as {
      numcopies: number;
      description: string;
    };
    assert.equal(status.numcopies, 3);
    assert.equal(status.description, 'renamed by ferry');
  });
});

describe('union merge of git-annex branches from other clones', () => {
  const tmp = tempDir();
  const a = join(tmp.path, 'a');
  const b = join(tmp.path, 'b');
  after(() => tmp.cleanup());

  before(async () => {
    mkdirSync(a);
    writeFileSync(join(a, 'from-a.txt'), 'a\n');
    await ferryOk(a, 'init', 'ferry a');
    await ferryOk(a, 'add', '.');
    git(tmp.path, 'clone', '-q', a, b);
    git(b, 'annex', 'init', 'annex b');
    writeFileSync(join(b, 'from-b.txt'), 'b\n');
    git(b, 'annex', 'add', 'from-b.txt');
    git(b, 'commit', '-q', '-m', 'b adds');
    git(a, 'remote', 'add', 'b', b);
  });

  it('fast-forwards when only the other side moved', async () => {
    git(a, 'fetch', '-q', 'b');
    const repo = await openRepository(a);
    const branch = new AnnexBranch(repo);
    const before = git(a, 'rev-parse', 'git-annex').trim();
    const merged = await branch.update();
    assert.deepEqual(merged, ['refs/remotes/b/git-annex']);
    const afterFf = git(a, 'rev-parse', 'git-annex').trim();
    assert.equal(afterFf, git(a, 'rev-parse', 'refs/remotes/b/git-annex').trim());
    assert.notEqual(afterFf, before);
    const bKey = keyOfBuffer('SHA256E', 'from-b.txt', Buffer.from('b\n'));
    const bRepo = await openRepository(b);
    assert.deepEqual(await whereIs(branch, bKey), [bRepo.uuid]);
    assert.match(
      readFileSync(join(repo.annexdir, 'mergedrefs'), 'utf8'),
      /\trefs\/remotes\/b\/git-annex\n/,
    );
  });

  it('makes a merge commit with the union of lines when both sides moved', async () => {
    // Both record something new about from-a.txt: A drops nothing but B gets a copy.
    git(b, 'annex', 'get', '--from', 'origin', 'from-a.txt');
    git(a, 'fetch', '-q', 'b');
    writeFileSync(join(a, 'second.txt'), 'second\n');
    await ferryOk(a, 'add', 'second.txt');
    const repo = await openRepository(a);
    const branch = new AnnexBranch(repo);
    await branch.update();
    const head = git(a, 'log', '-1', '--format=%s%n%P', 'git-annex').trim().split('\n');
    assert.equal(head[0], 'merging b/git-annex into git-annex');
    assert.equal(head[1]?.split(' ').length, 2, 'two parents');
    const aKey = keyOfBuffer('SHA256E', 'from-a.txt', Buffer.from('a\n'));
    const bRepo = await openRepository(b);
    assert.deepEqual(await whereIs(branch, aKey), [repo.uuid, bRepo.uuid].sort());
    // git-annex agrees, and is happy with the merged branch
    const out = JSON.parse(git(a, 'annex', 'whereis', '--json', 'from-a.txt')) as {
      whereis: { uuid: string }[];
    };
    assert.deepEqual(out.whereis.map((w) => w.uuid).sort(), [repo.uuid, bRepo.uuid].sort());
    assert.equal(gitStatus(a, 'annex', 'fsck').status, 0);
    assertGitFsck(a);
  });

  it('does nothing when there is nothing new', async () => {
    const repo = await openRepository(a);
    const before = git(a, 'rev-parse', 'git-annex').trim();
    assert.deepEqual(await new AnnexBranch(repo).update(), []);
    assert.equal(git(a, 'rev-parse', 'git-annex').trim(), before);
  });
});

describe('a clone pushing into the git-annex branch while Ferry writes to it', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('union-merges the pushed branch with Ferry’s change, losing no line', async () => {
    const a = await ferryRepository(join(tmp.path, 'a'), 'ferry a', { 'from-a.txt': 'a\n' });
    const b = join(tmp.path, 'b');
    git(tmp.path, 'clone', '-q', a, b);
    git(b, 'annex', 'init', 'annex b');
    // B's git-annex branch descends from A's, records a file of its own and a copy of A's
    git(b, 'annex', 'sync', '--no-push', '--no-content');
    git(b, 'annex', 'get', '--from', 'origin', 'from-a.txt');
    writeFileSync(join(b, 'from-b.txt'), 'b\n');
    git(b, 'annex', 'add', 'from-b.txt');
    git(b, 'commit', '-q', '-m', 'b adds');
    const repo = await openRepository(a);
    const bRepo = await openRepository(b);
    const branch = new AnnexBranch(repo);
    const aKey = keyOfBuffer('SHA256E', 'from-a.txt', Buffer.from('a\n'));
    const bKey = keyOfBuffer('SHA256E', 'from-b.txt', Buffer.from('b\n'));
    const logPath = locationLogPath(aKey);
    const before = git(a, 'rev-parse', 'git-annex').trim();
    // Ferry records a third copy of from-a.txt while B's push (which says B has one) lands
    const otherUuid = '5b2c3d4e-0000-4000-8000-00000000000c';
    await branch.changeMany(
      new Map([
        [
          logPath,
          (old: string) => {
            // B's git annex sync pushes its git-annex branch into A right now (a fast-forward)
            git(b, 'push', '-q', 'origin', 'git-annex');
            assert.notEqual(git(a, 'rev-parse', 'git-annex').trim(), before);
            return `${old}1700000000s 1 ${otherUuid}\n`;
          },
        ],
      ]),
    );
    const parents = git(a, 'log', '-1', '--format=%P', 'git-annex').trim().split(' ');
    assert.equal(parents.length, 2, 'a merge of the pushed branch and Ferry’s change');
    // both the pushed lines and Ferry's are there, as Ferry and as git-annex read them
    assert.deepEqual(await whereIs(branch, bKey), [bRepo.uuid]);
    const holders = [repo.uuid, bRepo.uuid, otherUuid].sort();
    assert.deepEqual(await whereIs(branch, aKey), holders);
    const log = git(a, 'show', `git-annex:${logPath}`);
    for (const uuid of holders) assert.match(log, new RegExp(` 1 ${uuid}$`, 'm'));
    assertGitFsck(a);
  });
});
