/** The `ferry` command's contract: help, exit codes, JSON output, and the real binary. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { ferry, ferryOk, git, tempDir } from '../helpers/repos';

describe('ferry command line', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('prints help and exits 2 without a command, 2 for an unknown one', async () => {
    const r = await ferry(tmp.path);
    assert.equal(r.code, 2);
    assert.match(r.out, /Usage: ferry <command>/);
    const u = await ferry(tmp.path, 'frobnicate');
    assert.equal(u.code, 2);
    assert.match(u.err, /unknown command "frobnicate"/);
  });

  it('exits 3 outside a repository, with a hint', async () => {
    const dir = join(tmp.path, 'plain');
    mkdirSync(dir);
    const r = await ferry(dir, 'whereis');
    assert.equal(r.code, 3);
    assert.match(r.err, /not inside a git repository \(run "ferry init"\)/);
    git(dir, 'init', '-q');
    const r2 = await ferry(dir, 'status');
    assert.equal(r2.code, 3);
    assert.match(r2.err, /not a Ferry repository yet/);
  });

  it('usage errors exit 2', async () => {
    const dir = join(tmp.path, 'usage');
    mkdirSync(dir);
    await ferryOk(dir, 'init');
    assert.equal((await ferry(dir, 'copy', '.')).code, 2);
    assert.equal((await ferry(dir, 'get', '--from')).code, 2);
    const r = await ferry(dir, 'copy', '--to', 'nowhere');
    assert.equal(r.code, 1);
    assert.match(r.err, /no remote named "nowhere"/);
  });

  it('status --json describes the repository and its remotes', async () => {
    const dir = join(tmp.path, 'status');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.bin'), 'aaaa');
    await ferryOk(dir, 'init', 'status test');
    await ferryOk(dir, 'add', '.');
    git(dir, 'remote', 'add', 'usb', '/media/not-plugged-in/repo');
    git(dir, 'config', 'remote.usb.annex-cost', '50');
    const s = JSON.parse((await ferryOk(dir, 'status', '--json')).out) as Record<string, unknown>;
    assert.equal(s.description, 'status test');
    assert.equal(s.annexedFiles, 1);
    assert.equal(s.presentFiles, 1);
    assert.equal(s.presentBytes, 4);
    assert.deepEqual(s.remotes, [
      {
        name: 'usb',
        url: '/media/not-plugged-in/repo',
        uuid: null,
        description: null,
        cost: 50,
        isAvailable: false,
        kind: 'local-repo',
        note: '/media/not-plugged-in/repo is not reachable (is the drive plugged in?)',
        state: 'unplugged',
        downSince: null,
        lastSeen: null,
      },
    ]);
  });

  it('get from an unplugged drive says so', async () => {
    const dir = join(tmp.path, 'status');
    const r = await ferry(dir, 'get', '--from', 'usb', '.');
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /not reachable: \/media\/not-plugged-in\/repo does not exist \(is the drive plugged in\?\)/,
    );
  });

  it('the installed bin runs through node as `ferry`', () => {
    const r = spawnSync(process.execPath, [resolve('bin/ferry.mjs'), 'version'], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^ferry version \d+\.\d+\.\d+\nrepository version: 10\n$/);
  });
});
