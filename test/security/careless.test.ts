/**
 * What a careless user or a hostile remote's smaller tricks do: `ferry init` inside a plain git
 * project, an unreadable folder, escape sequences in descriptions, a pointer holding a NUL byte,
 * an enormous uuid.log. Each gets a clear answer and stops nothing else.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { lsTree, starClones } from '../helpers/clones';
import { blob, commitOnBranch, rawTree, topEntries, writeLiteral } from '../helpers/hostile';
import { assertGitFsck, ferry, ferryOk, git, gitStatus, tempDir } from '../helpers/repos';

describe('careless use and small tricks', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('ferry init in a subfolder of a plain git project refuses, and converts only when told to', async () => {
    const project = join(tmp.path, 'project');
    mkdirSync(join(project, 'docs'), { recursive: true });
    git(project, 'init', '-q');
    writeFileSync(join(project, 'main.c'), 'int main() {}\n');
    git(project, 'add', 'main.c');
    git(project, 'commit', '-qm', 'code');
    writeFileSync(join(project, '.env'), 'SECRET=1\n');
    const r = await ferry(join(project, 'docs'), 'init');
    assert.notEqual(r.code, 0);
    assert.match(r.err, /not a git-annex repository/);
    assert.match(r.err, /--convert/);
    assert.notEqual(gitStatus(project, 'config', '--get', 'annex.uuid').status, 0, 'not converted');
    await ferryOk(project, 'init', '--convert', 'project');
    assert.notEqual(git(project, 'config', '--get', 'annex.uuid').trim(), '');
  });

  it('an unreadable folder is skipped with a warning: the rest is added and nothing is staged as removed', async () => {
    const own = tempDir();
    after(() => own.cleanup());
    spawnSync('chown', ['nobody:nogroup', own.path]);
    const dir = join(own.path, 'unreadable');
    mkdirSync(join(dir, 'locked'), { recursive: true });
    writeFileSync(join(dir, 'locked', 'kept.txt'), 'kept\n');
    await ferryOk(dir, 'init', 'u');
    await ferryOk(dir, 'add', '.');
    writeFileSync(join(dir, 'new.txt'), 'new\n');
    chmodSync(join(dir, 'locked'), 0o000);
    spawnSync('chown', ['-R', 'nobody:nogroup', dir]);
    // root reads every folder: run as an unprivileged user
    const bin = resolve('bin/ferry.mjs');
    const run = (...args: string[]) =>
      spawnSync(
        'setpriv',
        ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, bin, ...args],
        { cwd: dir, encoding: 'utf8', env: { ...process.env, HOME: dir } },
      );
    const add = run('add', '.');
    assert.equal(add.status, 0, add.stderr);
    assert.match(add.stderr, /skipped locked\/: permission denied/);
    const sync = run('sync', '--add');
    chmodSync(join(dir, 'locked'), 0o755);
    spawnSync('chown', ['-R', 'root:root', dir]);
    assert.ok(lsTree(dir).includes('new.txt'), sync.stderr);
    assert.ok(lsTree(dir).includes('locked/kept.txt'), 'not staged as removed');
  });

  it('a name git refuses is left out of a commit with a warning, so no clone refuses the tree', async () => {
    const dir = join(tmp.path, 'names');
    mkdirSync(join(dir, 'GIT~1'), { recursive: true });
    writeFileSync(join(dir, '.GIT'), 'x\n');
    writeFileSync(join(dir, 'GIT~1', 'inside.txt'), 'y\n');
    writeFileSync(join(dir, 'fine.txt'), 'z\n');
    await ferryOk(dir, 'init', 'names');
    const r = await ferryOk(dir, 'add', '.');
    assert.match(r.err, /skipped \.GIT: git does not accept/);
    assert.match(r.err, /skipped GIT~1: git does not accept/);
    assert.deepEqual(lsTree(dir), ['fine.txt']);
    assertGitFsck(dir);
  });

  it('descriptions with escape sequences reach the terminal escaped', async () => {
    const root = join(tmp.path, 'escapes');
    mkdirSync(root);
    const c = await starClones(root, ['V', 'E']);
    const [v, e] = [c.V ?? '', c.E ?? ''];
    await ferryOk(e, 'describe', 'here', '\u001b]0;owned\u0007\u001b[2Jevil\u009b31m');
    await ferryOk(v, 'sync');
    const r = await ferryOk(v, 'whereis', 'README.txt');
    const info = await ferryOk(v, 'map');
    for (const text of [r.out, info.out]) {
      for (const c of ['\u001b', '\u0007', '\u009b'])
        assert.ok(!text.includes(c), 'no raw control character');
    }
    assert.match(r.out + info.out, /\\u001b\]0;owned/);
  });

  it('a pointer holding a NUL byte fails alone: the rest of the content still arrives', async () => {
    const root = join(tmp.path, 'nul');
    mkdirSync(root);
    const c = await starClones(root, ['V', 'E']);
    const [v, e] = [c.V ?? '', c.E ?? ''];
    writeFileSync(join(e, 'good.txt'), 'good content\n');
    await ferryOk(e, 'add', 'good.txt');
    const nul = blob(e, '/annex/objects/SHA256E-s4--a\u0000b.txt\n');
    commitOnBranch(
      e,
      rawTree(e, [...topEntries(e), { mode: '100644', name: 'nul.txt', oid: nul }]),
    );
    const r = await ferry(v, 'sync', '--content');
    assert.ok(r.code === 0 || r.code === 1, r.err);
    assert.equal(readFileSync(join(v, 'good.txt'), 'utf8'), 'good content\n');
  });

  it('an enormous uuid.log from a remote is left out with a clear message; the rest of its branch merges, whereis and fsck keep working', async () => {
    const root = join(tmp.path, 'huge');
    mkdirSync(root);
    const c = await starClones(root, ['V', 'E']);
    const [v, e] = [c.V ?? '', c.E ?? ''];
    await ferryOk(e, 'sync');
    // recorded on E's git-annex branch only, with the enormous uuid.log on top
    writeFileSync(join(e, 'from-e.txt'), 'made on E\n');
    await ferryOk(e, 'add', 'from-e.txt');
    const eUuid = git(e, 'config', 'annex.uuid').trim();
    // 70 MB of description lines on the remote's git-annex branch
    const line = `${'0'.repeat(8)}-0000-0000-0000-000000000000 ${'x'.repeat(1000)} timestamp=1s\n`;
    const huge = writeLiteral(e, 'blob', line.repeat(70_000));
    const annexTree = topEntries(e, 'git-annex').filter((x) => x.name !== 'uuid.log');
    const entries = [...annexTree, { mode: '100644', name: 'uuid.log', oid: huge }].sort((a, b) =>
      a.name < b.name ? -1 : 1,
    );
    commitOnBranch(e, rawTree(e, entries), 'refs/heads/git-annex');
    const r = await ferry(v, 'sync');
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.err, /uuid\.log is \d+ bytes.*left out and the rest merged/);
    await ferryOk(v, 'whereis', 'README.txt');
    const where = await ferryOk(v, 'whereis', 'from-e.txt');
    assert.match(where.out, new RegExp(eUuid), "E's location log was merged");
    await ferryOk(v, 'fsck', '--fast');
  });
});
