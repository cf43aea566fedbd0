/**
 * `ferry add` on awkward input: odd names, empty files, files that change while hashed,
 * unreadable files, a full disk, unlocked mode and annex.largefiles. Real repositories; git and
 * git-annex check the results.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { addPaths } from '../../../src/engine/annex/add';
import { keyOfBuffer } from '../../../src/engine/annex/key';
import { findObject, verifyFile } from '../../../src/engine/annex/object-store';
import { openRepository } from '../../../src/engine/annex/repository';
import {
  assertGitFsck,
  ferry,
  ferryOk,
  git,
  gitStatus,
  jsonLines,
  tempDir,
} from '../../helpers/repos';

function annexFsckClean(cwd: string): void {
  const r = gitStatus(cwd, 'annex', 'fsck');
  assert.equal(r.status, 0, `git annex fsck: ${r.stdout}\n${r.stderr}`);
}

describe('ferry add with odd file names', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('adds names with spaces, newlines, unicode, leading dashes, 255 bytes, and empty files', async () => {
    const a = join(tmp.path, 'names');
    mkdirSync(a);
    const names = [
      'with space.txt',
      'new\nline.txt',
      'ünïcödé.tëxt',
      '日本語のファイル.txt',
      '-leading-dash.bin',
      '--double-dash',
      `${'x'.repeat(251)}.txt`,
      'empty-file',
      'emoji 😀.png',
    ];
    assert.equal(Buffer.byteLength(names[6] ?? ''), 255);
    for (const [i, n] of names.entries())
      writeFileSync(join(a, n), n === 'empty-file' ? '' : `content ${i}\n`);
    await ferryOk(a, 'init', 'names');
    const r = await ferryOk(a, 'add', '--json', '--', '.');
    const added = jsonLines(r.out)
      .map((j) => j.file as string)
      .sort();
    assert.deepEqual(added, [...names].sort());
    for (const n of names) {
      assert.ok(lstatSync(join(a, n)).isSymbolicLink(), `${n} is now a symlink`);
      assert.equal(
        readFileSync(join(a, n), 'utf8'),
        n === 'empty-file' ? '' : `content ${names.indexOf(n)}\n`,
      );
    }
    assertGitFsck(a);
    annexFsckClean(a);
    const found = git(a, 'annex', 'find', '--print0').split('\0').filter(Boolean).sort();
    assert.deepEqual(found, [...names].sort());
  });

  it('ferry add of a path with a leading dash after --', async () => {
    const a = join(tmp.path, 'dash');
    mkdirSync(a);
    writeFileSync(join(a, '-rf'), 'not an option\n');
    await ferryOk(a, 'init');
    await ferryOk(a, 'add', '--', '-rf');
    assert.ok(lstatSync(join(a, '-rf')).isSymbolicLink());
    annexFsckClean(a);
  });
});

describe('ferry add when files misbehave', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  for (const mode of ['locked', 'unlocked'] as const)
    it(`never stores a file that changes while it is hashed under the wrong key (${mode})`, async () => {
      const a = join(tmp.path, `growing-${mode}`);
      mkdirSync(a);
      await ferryOk(a, 'init');
      if (mode === 'unlocked') git(a, 'config', 'annex.addunlocked', 'true');
      const path = join(a, 'growing.log');
      writeFileSync(path, Buffer.alloc(8 << 20, 1));
      let writing = true;
      const writer = (async () => {
        while (writing) {
          try {
            await appendFile(path, Buffer.alloc(64 << 10, 2));
          } catch {
            // the file may have been renamed into the store; keep trying until told to stop
          }
        }
      })();
      const repo = await openRepository(a);
      const result = await addPaths(repo, [a]);
      writing = false;
      await writer;
      // Either it was refused as changing, or what was stored matches its key exactly.
      if (result.annexed.length === 1) {
        const key = result.annexed[0]?.key ?? '';
        const object = await findObject(repo, key);
        assert.ok(object);
        assert.ok(await verifyFile(key, object), 'stored content matches its key');
      } else {
        assert.equal(result.failed[0]?.code, 'content-changed');
        assert.ok(existsSync(path), 'the file is still in the work tree');
      }
      const objectsDir = join(repo.annexdir, 'objects');
      for (const file of listFiles(objectsDir)) {
        const key = file.slice(file.lastIndexOf('/') + 1);
        assert.ok(await verifyFile(key, file), `${key} verifies`);
      }
      const annexTmp = join(repo.annexdir, 'tmp');
      const left = existsSync(annexTmp) ? readdirSync(annexTmp) : [];
      assert.deepEqual(
        left.filter((n) => n.startsWith('copy-')),
        [],
        'no copy left in tmp',
      );
      assertGitFsck(a);
    });

  it('reports an unreadable file by name and adds the rest (as an unprivileged user)', () => {
    const a = join(tmp.path, 'perm');
    mkdirSync(a);
    writeFileSync(join(a, 'readable.txt'), 'fine\n');
    writeFileSync(join(a, 'secret.txt'), 'hidden\n');
    spawnSync('chown', ['-R', 'nobody:nogroup', tmp.path]);
    chownSync(tmp.path, 65534, 65534);
    chmodSync(join(a, 'secret.txt'), 0o000);
    const ferryBin = resolve('bin/ferry.mjs');
    const run = (...args: string[]) =>
      spawnSync(
        'setpriv',
        ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ferryBin, ...args],
        {
          cwd: a,
          encoding: 'utf8',
          env: { ...process.env, HOME: tmp.path, GIT_AUTHOR_NAME: 'n', GIT_AUTHOR_EMAIL: 'n@x' },
        },
      );
    const init = run('init', 'unprivileged');
    assert.equal(init.status, 0, init.stderr);
    const add = run('add', '.');
    assert.equal(add.status, 1, 'exit code 1: one file failed');
    assert.match(add.stderr, /secret\.txt.*permission denied/);
    assert.match(add.stdout, /add readable\.txt ok/);
    assert.ok(lstatSync(join(a, 'readable.txt')).isSymbolicLink());
    assert.ok(lstatSync(join(a, 'secret.txt')).isFile(), 'the unreadable file is untouched');
    chmodSync(join(a, 'secret.txt'), 0o644);
    assert.equal(readFileSync(join(a, 'secret.txt'), 'utf8'), 'hidden\n');
  });

  it('a full disk during ingest loses nothing and leaves no partial object', async (t) => {
    const mnt = join(tmp.path, 'small-disk');
    mkdirSync(mnt);
    const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1536k', 'tmpfs', mnt], {
      encoding: 'utf8',
    });
    if (mount.status !== 0) {
      t.skip(`cannot mount a small tmpfs here: ${mount.stderr.trim()}`);
      return;
    }
    try {
      const a = join(mnt, 'repo');
      mkdirSync(a);
      await ferryOk(a, 'init', 'small disk');
      git(a, 'config', 'annex.addunlocked', 'true');
      const big = Buffer.alloc(900 * 1024, 5);
      writeFileSync(join(a, 'big.bin'), big);
      writeFileSync(join(a, 'small.txt'), 'small\n');
      const r = await ferry(a, 'add', '.');
      assert.equal(r.code, 1);
      assert.match(r.err, /big\.bin.*no space left/);
      assert.deepEqual(readFileSync(join(a, 'big.bin')), big, 'the original is intact');
      const repo = await openRepository(a);
      assert.equal(
        await findObject(repo, keyOfBuffer('SHA256E', 'big.bin', big)),
        undefined,
        'no object for it',
      );
      assert.deepEqual(readdirSync(join(repo.annexdir, 'tmp')), [], 'no partial file left in tmp');
      assert.equal(readFileSync(join(a, 'small.txt'), 'utf8'), 'small\n');
      assertGitFsck(a);
    } finally {
      spawnSync('umount', [mnt]);
    }
  });
});

describe('ferry add modes and settings', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('annex.addunlocked stores pointer blobs, keeps real files, and git status stays clean', async () => {
    const a = join(tmp.path, 'unlocked');
    mkdirSync(a);
    writeFileSync(join(a, 'doc.txt'), 'unlocked content\n');
    await ferryOk(a, 'init', 'unlocked');
    git(a, 'config', 'annex.addunlocked', 'true');
    await ferryOk(a, 'add', '.');
    const key = keyOfBuffer('SHA256E', 'doc.txt', Buffer.from('unlocked content\n'));
    assert.equal(git(a, 'cat-file', '-p', 'HEAD:doc.txt'), `/annex/objects/${key}\n`);
    assert.ok(lstatSync(join(a, 'doc.txt')).isFile());
    assert.equal(readFileSync(join(a, 'doc.txt'), 'utf8'), 'unlocked content\n');
    const repo = await openRepository(a);
    const object = await findObject(repo, key);
    assert.ok(object);
    assert.notEqual(
      lstatSync(object).ino,
      lstatSync(join(a, 'doc.txt')).ino,
      'a copy, not a hard link',
    );
    assert.equal(git(a, 'status', '--porcelain'), '');
    annexFsckClean(a);

    // drop puts the pointer back; get restores the content
    const b = join(tmp.path, 'unlocked-clone');
    git(tmp.path, 'clone', '-q', a, b);
    await ferryOk(b, 'init', 'clone');
    assert.equal(readFileSync(join(b, 'doc.txt'), 'utf8'), `/annex/objects/${key}\n`);
    await ferryOk(b, 'get', 'doc.txt');
    assert.equal(readFileSync(join(b, 'doc.txt'), 'utf8'), 'unlocked content\n');
    assert.equal(git(b, 'status', '--porcelain'), '');
    await ferryOk(b, 'drop', 'doc.txt');
    assert.equal(readFileSync(join(b, 'doc.txt'), 'utf8'), `/annex/objects/${key}\n`);
    assert.equal(git(b, 'status', '--porcelain'), '');
  });

  it('a big unlocked file fetched gets its content written as it arrives, and nothing is left beside it', async () => {
    const a = join(tmp.path, 'unlocked-big');
    mkdirSync(a);
    const content = Buffer.alloc(3_000_000);
    for (let i = 0; i < content.length; i++) content[i] = (i * 7) % 253;
    writeFileSync(join(a, 'video.bin'), content);
    await ferryOk(a, 'init', 'big');
    git(a, 'config', 'annex.addunlocked', 'true');
    await ferryOk(a, 'add', '.');
    // added in one pass (hashed while copied): the object is the content, under the right key
    annexFsckClean(a);
    assert.ok(readFileSync(join(a, 'video.bin')).equals(content), 'the added file is untouched');
    const b = join(tmp.path, 'unlocked-big-clone');
    git(tmp.path, 'clone', '-q', a, b);
    await ferryOk(b, 'init', 'big clone');
    await ferryOk(b, 'get', 'video.bin');
    assert.ok(
      readFileSync(join(b, 'video.bin')).equals(content),
      'the work tree holds the content',
    );
    const repo = await openRepository(b);
    const object = await findObject(repo, keyOfBuffer('SHA256E', 'video.bin', content));
    assert.ok(object);
    assert.notEqual(lstatSync(object).ino, lstatSync(join(b, 'video.bin')).ino, 'a copy');
    assert.deepEqual(
      readdirSync(b).filter((n) => n !== '.git'),
      ['video.bin'],
      'no temporary copy left in the work tree',
    );
    assert.equal(git(b, 'status', '--porcelain'), '');
    annexFsckClean(b);
  });

  it('annex.thin makes unlocked files hard links to the object', async () => {
    const a = join(tmp.path, 'thin');
    mkdirSync(a);
    writeFileSync(join(a, 'thin.bin'), 'thin\n');
    await ferryOk(a, 'init');
    git(a, 'config', 'annex.addunlocked', 'true');
    git(a, 'config', 'annex.thin', 'true');
    await ferryOk(a, 'add', '.');
    const repo = await openRepository(a);
    const object = await findObject(
      repo,
      keyOfBuffer('SHA256E', 'thin.bin', Buffer.from('thin\n')),
    );
    assert.ok(object);
    assert.equal(lstatSync(object).ino, lstatSync(join(a, 'thin.bin')).ino);
  });

  it('annex.largefiles sends small files to git and large ones to the annex', async () => {
    const a = join(tmp.path, 'largefiles');
    mkdirSync(a);
    writeFileSync(join(a, 'small.txt'), 'tiny\n');
    writeFileSync(join(a, 'large.bin'), Buffer.alloc(20_000, 3));
    writeFileSync(join(a, 'code.c'), Buffer.alloc(20_000, 65));
    await ferryOk(a, 'init');
    git(a, 'config', 'annex.largefiles', 'largerthan=10kb and not include=*.c');
    await ferryOk(a, 'add', '.');
    assert.equal(git(a, 'cat-file', '-p', 'HEAD:small.txt'), 'tiny\n');
    assert.equal(git(a, 'cat-file', '-p', 'HEAD:code.c').length, 20_000);
    assert.ok(lstatSync(join(a, 'large.bin')).isSymbolicLink());
    assertGitFsck(a);
    annexFsckClean(a);
  });

  it('honours annex.dotfiles and gitignore', async () => {
    const a = join(tmp.path, 'dotfiles');
    mkdirSync(join(a, '.config'), { recursive: true });
    writeFileSync(join(a, '.config', 'app.ini'), 'x=1\n');
    writeFileSync(join(a, '.gitignore'), '*.tmp\n');
    writeFileSync(join(a, 'scratch.tmp'), 'ignored\n');
    await ferryOk(a, 'init');
    git(a, 'config', 'annex.dotfiles', 'true');
    await ferryOk(a, 'add', '.');
    assert.ok(
      lstatSync(join(a, '.config', 'app.ini')).isSymbolicLink(),
      'annexed with annex.dotfiles',
    );
    assert.ok(lstatSync(join(a, 'scratch.tmp')).isFile(), 'ignored file left alone');
    assert.equal(gitStatus(a, 'cat-file', '-e', 'HEAD:scratch.tmp').status === 0, false);
  });
});

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else if (!e.name.endsWith('.lck')) out.push(p);
  }
  return out;
}
