/**
 * Ferry and the real git-annex on the same repositories, in both directions.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { AnnexBranch } from '../../src/engine/annex/branch';
import { setPresence } from '../../src/engine/annex/content';
import { keyOfBuffer } from '../../src/engine/annex/key';
import { findObject, lockContent } from '../../src/engine/annex/object-store';
import { locationLogPath } from '../../src/engine/annex/paths';
import { openRepository } from '../../src/engine/annex/repository';
import { tryLock } from '../../src/engine/os/file-lock';
import {
  annexWhereisUuids,
  assertGitFsck,
  ferry,
  ferryOk,
  git,
  gitStatus,
  jsonLines,
  tempDir,
} from '../helpers/repos';

function annexFind(cwd: string): string[] {
  return git(cwd, 'annex', 'find', '--include=*', '--format=${file} ${key}\\n')
    .split('\n')
    .filter(Boolean)
    .sort();
}

describe('a repository made by Ferry, checked by git-annex', () => {
  const tmp = tempDir();
  const a = join(tmp.path, 'a');
  after(() => tmp.cleanup());

  before(async () => {
    mkdirSync(join(a, 'photos', 'deep'), { recursive: true });
    writeFileSync(join(a, 'photos', 'a.jpg'), 'jpeg bytes\n');
    writeFileSync(join(a, 'photos', 'deep', 'b.tar.gz'), Buffer.alloc(300_000, 7));
    writeFileSync(join(a, 'notes.txt'), 'hello\n');
    writeFileSync(join(a, 'empty'), '');
    writeFileSync(join(a, '.hidden'), 'dotfile\n');
    await ferryOk(a, 'init', 'ferry laptop');
    await ferryOk(a, 'add', '.');
  });

  it('passes git fsck and git annex fsck', () => {
    assertGitFsck(a);
    const r = gitStatus(a, 'annex', 'fsck');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /fsck photos\/a\.jpg \(checksum\.\.\.\) ok/);
  });

  it('git annex find and ferry whereis list the same files and keys', async () => {
    const ours = jsonLines((await ferryOk(a, 'whereis', '--json')).out)
      .map((j) => `${String(j.file)} ${String(j.key)}`)
      .sort();
    assert.deepEqual(ours, annexFind(a));
    assert.equal(ours.length, 4, 'the dotfile went to git, the other four to the annex');
    assert.equal(git(a, 'cat-file', '-p', 'HEAD:.hidden'), 'dotfile\n');
  });

  it('git annex whereis agrees on who holds the content', async () => {
    const repo = await openRepository(a);
    assert.deepEqual(annexWhereisUuids(a, 'notes.txt'), [repo.uuid]);
  });

  it('locked files are relative symlinks to read-only objects in read-only key directories', async () => {
    const link = git(a, 'cat-file', '-p', 'HEAD:photos/deep/b.tar.gz');
    assert.match(
      link,
      /^\.\.\/\.\.\/\.git\/annex\/objects\/\w\w\/\w\w\/SHA256E-s300000--[0-9a-f]{64}\.tar\.gz\/SHA256E/,
    );
    const repo = await openRepository(a);
    const key = keyOfBuffer('SHA256E', 'b.tar.gz', Buffer.alloc(300_000, 7));
    const object = await findObject(repo, key);
    assert.ok(object);
    const { statSync } = await import('node:fs');
    assert.equal(statSync(object).mode & 0o777, 0o444);
    assert.equal(statSync(join(object, '..')).mode & 0o777, 0o555);
  });

  it('has the filesystem abilities git init finds: git checks locked files out as symlinks', () => {
    const plain = join(tmp.path, 'plain-git');
    git(tmp.path, 'init', '-q', plain);
    // git writes a setting only where it differs from its default
    const core = (repo: string, key: string, byDefault: string): string =>
      git(repo, 'config', '--bool', '--default', byDefault, key).trim();
    for (const [key, byDefault] of [
      ['core.filemode', 'true'],
      ['core.symlinks', 'true'],
      ['core.ignorecase', 'false'],
    ] as const)
      assert.equal(core(a, key, byDefault), core(plain, key, byDefault), key);
    rmSync(join(a, 'notes.txt'));
    git(a, 'checkout', '--', 'notes.txt');
    assert.ok(lstatSync(join(a, 'notes.txt')).isSymbolicLink());
    assert.equal(readFileSync(join(a, 'notes.txt'), 'utf8'), 'hello\n');
  });

  it('a git-annex clone gets content from the Ferry repository', () => {
    const b = join(tmp.path, 'b');
    git(tmp.path, 'clone', '-q', a, b);
    git(b, 'annex', 'init', 'clone b');
    git(b, 'annex', 'get', '.');
    assert.equal(readFileSync(join(b, 'notes.txt'), 'utf8'), 'hello\n');
    assert.deepEqual(readFileSync(join(b, 'photos', 'deep', 'b.tar.gz')), Buffer.alloc(300_000, 7));
    const r = gitStatus(b, 'annex', 'fsck');
    assert.equal(r.status, 0, r.stderr);
  });

  it('ferry fsck is clean and a second add changes nothing', async () => {
    const r = await ferryOk(a, 'fsck', '--json');
    const results = jsonLines(r.out);
    assert.equal(results.length, 4);
    assert.ok(results.every((j) => j.success === true));
    const again = await ferryOk(a, 'add', '.', '--json');
    assert.equal(jsonLines(again.out).length, 0);
  });
});

describe('a repository made by git-annex, used by Ferry', () => {
  const tmp = tempDir();
  const origin = join(tmp.path, 'origin');
  const mine = join(tmp.path, 'mine');
  after(() => tmp.cleanup());

  before(async () => {
    mkdirSync(join(origin, 'docs'), { recursive: true });
    git(origin, 'init', '-q');
    git(origin, 'annex', 'init', 'annex origin');
    writeFileSync(join(origin, 'docs', 'report.pdf'), Buffer.alloc(2_000_000, 1));
    writeFileSync(join(origin, 'docs', 'small.txt'), 'small\n');
    git(origin, 'annex', 'add', '.');
    git(origin, 'commit', '-q', '-m', 'add docs');
    git(tmp.path, 'clone', '-q', origin, mine);
    await ferryOk(mine, 'init', 'ferry clone');
  });

  it('the Ferry clone starts its git-annex branch from origin', async () => {
    const repo = await openRepository(mine);
    const branch = new AnnexBranch(repo);
    await branch.update();
    assert.match(await branch.read('uuid.log'), /annex origin/);
    assert.match(await branch.read('uuid.log'), /ferry clone/);
  });

  it('ferry get fetches content from the git-annex repository and verifies it', async () => {
    const r = await ferryOk(mine, 'get', 'docs', '--json');
    const lines = jsonLines(r.out);
    assert.equal(lines.length, 2);
    assert.deepEqual(readFileSync(join(mine, 'docs', 'report.pdf')), Buffer.alloc(2_000_000, 1));
    const repo = await openRepository(mine);
    const originRepo = await openRepository(origin);
    assert.deepEqual(
      annexWhereisUuids(mine, 'docs/report.pdf'),
      [originRepo.uuid, repo.uuid].sort(),
    );
    const fsck = gitStatus(mine, 'annex', 'fsck');
    assert.equal(fsck.status, 0, fsck.stderr);
    assertGitFsck(mine);
  });

  it('ferry copy --to records the content on both sides, as git-annex sees it', async () => {
    writeFileSync(join(mine, 'new.bin'), Buffer.alloc(100_000, 9));
    await ferryOk(mine, 'add', 'new.bin');
    await ferryOk(mine, 'copy', '--to', 'origin', 'new.bin');
    const originRepo = await openRepository(origin);
    const key = keyOfBuffer('SHA256E', 'new.bin', Buffer.alloc(100_000, 9));
    assert.ok(await findObject(originRepo, key), 'the object arrived in origin');
    // origin's own branch says it has the key
    const log = git(origin, 'show', `git-annex:${locationLogPath(key)}`);
    assert.match(log, new RegExp(` 1 ${originRepo.uuid}`));
    const fsck = gitStatus(origin, 'annex', 'fsck', '--all');
    assert.equal(fsck.status, 0, fsck.stderr);
    assertGitFsck(origin);
  });

  it('drop refuses without enough verified copies and succeeds with them', async () => {
    writeFileSync(join(mine, 'only-here.txt'), 'lonely\n');
    await ferryOk(mine, 'add', 'only-here.txt');
    const refused = await ferry(mine, 'drop', 'only-here.txt');
    assert.equal(refused.code, 1);
    assert.match(refused.err, /could only verify 0 other copies/);
    assert.equal(readFileSync(join(mine, 'only-here.txt'), 'utf8'), 'lonely\n');

    await ferryOk(mine, 'drop', 'docs/report.pdf');
    assert.equal(
      existsSync(join(mine, 'docs', 'report.pdf')),
      false,
      'the symlink dangles once the content is gone',
    );
    const originRepo = await openRepository(origin);
    assert.deepEqual(annexWhereisUuids(mine, 'docs/report.pdf'), [originRepo.uuid]);
    const fsck = gitStatus(mine, 'annex', 'fsck');
    assert.equal(fsck.status, 0, fsck.stderr);
  });

  it('drop --from a remote needs the local copy verified', async () => {
    await ferryOk(mine, 'drop', '--from', 'origin', 'new.bin');
    const originRepo = await openRepository(origin);
    const key = keyOfBuffer('SHA256E', 'new.bin', Buffer.alloc(100_000, 9));
    assert.equal(await findObject(originRepo, key), undefined);
    const repo = await openRepository(mine);
    assert.deepEqual(annexWhereisUuids(mine, 'new.bin'), [repo.uuid]);
    // origin's own log records the drop (it has not merged our branch, so --all would rightly
    // say it knows no other copy); its work tree is clean.
    assert.match(
      git(origin, 'show', `git-annex:${locationLogPath(key)}`),
      new RegExp(` 0 ${originRepo.uuid}`),
    );
    assert.equal(gitStatus(origin, 'annex', 'fsck').status, 0);
  });
});

describe('locks that git-annex and Ferry both respect', () => {
  const tmp = tempDir();
  const a = join(tmp.path, 'a');
  after(() => tmp.cleanup());

  before(async () => {
    mkdirSync(a);
    writeFileSync(join(a, 'f.txt'), 'locked content\n');
    await ferryOk(a, 'init', 'locks');
    await ferryOk(a, 'add', '.');
  });

  it('git annex drop cannot remove an object while Ferry holds its content lock', async () => {
    const repo = await openRepository(a);
    const key = keyOfBuffer('SHA256E', 'f.txt', Buffer.from('locked content\n'));
    const held = await lockContent(repo, key, 'shared');
    assert.ok(held);
    try {
      const r = gitStatus(a, 'annex', 'drop', '--force', 'f.txt');
      assert.notEqual(r.status, 0, 'git annex drop must fail while the content is locked');
      assert.ok(await findObject(repo, key), 'the content is still there');
    } finally {
      held.lock.release();
    }
    const r = gitStatus(a, 'annex', 'drop', '--force', 'f.txt');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(await findObject(repo, key), undefined);
  });

  it('git annex waits for the journal lock Ferry holds', async () => {
    const repo = await openRepository(a);
    const held = tryLock(join(repo.annexdir, 'journal.lck'));
    assert.ok(held);
    const child = spawn('git', ['annex', 'describe', 'here', 'renamed while locked'], {
      cwd: a,
      stdio: 'ignore',
    });
    let exited = false;
    const done = new Promise<number>((res) =>
      child.on('exit', (code) => {
        exited = true;
        res(code ?? -1);
      }),
    );
    await sleep(1500);
    assert.equal(exited, false, 'git annex must block on the lock');
    held.release();
    assert.equal(await done, 0);
    assert.match(git(a, 'show', 'git-annex:uuid.log'), /renamed while locked/);
  });

  it('Ferry and git-annex writing location logs at the same time lose no line', async () => {
    const repo = await openRepository(a);
    const branch = new AnnexBranch(repo);
    const keys = Array.from({ length: 40 }, (_, i) =>
      keyOfBuffer('SHA256E', `k${i}.bin`, Buffer.from(`key ${i}\n`)),
    );
    const otherUuid = '11111111-2222-4333-8444-555555555555';
    const ferryUuid = '66666666-7777-4888-8999-aaaaaaaaaaaa';
    const script = keys.map((k) => `${k} ${otherUuid} 1`).join('\n');
    const child = spawn('git', ['annex', 'setpresentkey', '--batch'], {
      cwd: a,
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    const annexDone = new Promise<number>((res) => child.on('exit', (c) => res(c ?? -1)));
    // Feed git-annex slowly while Ferry writes the same files.
    const feeding = (async () => {
      for (const line of script.split('\n')) {
        child.stdin.write(`${line}\n`);
        await sleep(5);
      }
      child.stdin.end();
    })();
    for (const k of keys) await setPresence(branch, k, ferryUuid, true);
    await feeding;
    assert.equal(await annexDone, 0);
    await branch.commit();
    for (const k of keys) {
      const text = await branch.read(locationLogPath(k));
      assert.match(text, new RegExp(` 1 ${ferryUuid}`), `Ferry's line for ${k}`);
      assert.match(text, new RegExp(` 1 ${otherUuid}`), `git-annex's line for ${k}`);
    }
    // git-annex reads the merged result the same way
    const whereis = JSON.parse(git(a, 'annex', 'whereis', '--json', `--key=${keys[7] ?? ''}`)) as {
      whereis: { uuid: string }[];
    };
    assert.deepEqual(whereis.whereis.map((w) => w.uuid).sort(), [otherUuid, ferryUuid].sort());
    assertGitFsck(a);
  });
});
