/**
 * Two Ferry devices on 127.0.0.1: the inviter's listener (a real PeerService serving its
 * folder over TLS 1.3) and a joiner with its own identity. Share and join (history cloned
 * through CONNECT), content both ways over the P2P protocol, history back through
 * receive-pack; a wrong code, a used code and a device with another key are refused.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AnnexBranch } from '../../../src/engine/annex/branch';
import { journalName, locationLogPath } from '../../../src/engine/annex/paths';
import { PresenceBulk } from '../../../src/engine/annex/presence-bulk';
import { openRepository } from '../../../src/engine/annex/repository';
import { setPeerContext } from '../../../src/engine/peers/context';
import { deviceIdentity } from '../../../src/engine/peers/identity';
import { joinFolder } from '../../../src/engine/peers/join';
import { PeerService } from '../../../src/engine/peers/peer-service';
import { parcelWatch } from '../../../src/engine/sync/watcher';
import { bytes } from '../../helpers/data';
import { waitFor } from '../../helpers/wait';
import { ferry, ferryOk, git, gitStatus, tempDir } from '../../helpers/repos';

describe('Ferry devices: share and join', () => {
  const tmp = tempDir();
  let service: PeerService;
  let address: string;
  let host: string;
  before(async () => {
    host = join(tmp.path, 'laptop');
    git(tmp.path, 'init', '-q', '-b', 'main', host);
    writeFileSync(join(host, 'photo.jpg'), bytes(500_000, 3));
    await ferryOk(host, 'init', 'laptop');
    await ferryOk(host, 'add', 'photo.jpg');
    service = new PeerService({
      stateDir: join(tmp.path, 'laptop-state'),
      watch: parcelWatch,
      host: '127.0.0.1',
      port: 0,
      discovery: false,
      deviceName: 'laptop',
    });
    await service.start();
    address = `127.0.0.1:${service.listenPort}`;
    await service.serve(await openRepository(host), () => undefined);
    service.ready();
    // this process dials as the desktop from now on
    setPeerContext({
      identity: deviceIdentity(join(tmp.path, 'desktop-state')),
      deviceName: 'desktop',
      listenPort: 0,
    });
  });
  after(async () => {
    await service.stop();
    setPeerContext(undefined);
    tmp.cleanup();
  });

  it('joins with the code, then moves history and content both ways', async () => {
    const code = service.share(await openRepository(host));
    const desk = join(tmp.path, 'desktop');
    const r = await joinFolder(code, desk, { address });
    assert.equal(r.inviter, service.identity.id);
    assert.equal(r.remote, 'laptop');
    assert.match(
      git(desk, 'config', 'remote.laptop.url').trim(),
      /^ferry::[A-Z2-7-]{63}\/[0-9a-f-]{36}$/,
    );
    // the laptop recorded the desktop as a remote too
    assert.match(git(host, 'config', '--get-regexp', '^remote\\..*\\.url$'), /ferry::/);
    await ferryOk(desk, 'get', 'photo.jpg');
    assert.deepEqual(readFileSync(join(desk, 'photo.jpg')), bytes(500_000, 3));
    writeFileSync(join(desk, 'notes.txt'), 'from the desktop\n');
    await ferryOk(desk, 'add', 'notes.txt');
    await ferryOk(desk, 'copy', '--to', 'laptop', 'notes.txt');
    await ferryOk(desk, 'sync');
    assert.equal(
      git(host, 'rev-parse', 'refs/heads/synced/main').trim(),
      git(desk, 'rev-parse', 'HEAD').trim(),
    );
    const key = git(desk, 'annex', 'lookupkey', 'notes.txt').trim();
    const fsck = gitStatus(host, 'annex', 'fsck', '--key', key);
    assert.equal(fsck.status, 0, fsck.stderr + fsck.stdout);
    // the code was used: a second join is refused, and leaves no folder
    await assert.rejects(joinFolder(code, join(tmp.path, 'again'), { address }), /used already/);
  });

  it("records what a device stored in the folder's location-log batches, not a journal entry per file", async () => {
    const desk = join(tmp.path, 'desktop');
    const repo = await openRepository(host);
    const branch = new AnnexBranch(repo);
    const batch = new PresenceBulk();
    const held: string[] = [];
    await service.serve(
      repo,
      () => undefined,
      (key) => {
        held.push(key);
        void batch.add(branch, key, repo.uuid);
      },
    );
    try {
      const files = ['batch-1.txt', 'batch-2.txt'];
      for (const f of files) writeFileSync(join(desk, f), `${f}\n`);
      await ferryOk(desk, 'add', ...files);
      await ferryOk(desk, 'copy', '--to', 'laptop', ...files);
      const keys = files.map((f) => git(desk, 'annex', 'lookupkey', f).trim());
      await waitFor('both stores recorded', () => held.length === 2, 10_000);
      assert.deepEqual([...held].sort(), [...keys].sort());
      const journal = (k: string): string =>
        join(repo.annexdir, 'journal', journalName(locationLogPath(k)));
      for (const k of keys) assert.equal(existsSync(journal(k)), false, `${k} journalled`);
      await batch.flush();
      for (const k of keys) {
        const where = gitStatus(host, 'annex', 'whereis', '--key', k);
        assert.equal(where.status, 0, where.stderr);
        assert.match(where.stdout, /\[here\]/);
      }
    } finally {
      await service.serve(repo, () => undefined);
    }
  });

  it('lets plain git and git annex reach the device through git-remote-ferry', async () => {
    const desk = join(tmp.path, 'desktop');
    const bin = join(tmp.path, 'bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync(resolve('bin/git-remote-ferry.mjs'), join(bin, 'git-remote-ferry'));
    const env = {
      ...process.env,
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      FERRY_STATE_DIR: join(tmp.path, 'desktop-state'),
      FERRY_DISCOVERY: 'off',
    };
    const run = (...args: string[]) =>
      new Promise<{ code: number; out: string }>((res) => {
        execFile('git', args, { cwd: desk, env }, (e, stdout, stderr) =>
          res({ code: e ? Number(e.code ?? 1) : 0, out: `${stdout}${stderr}` }),
        );
      });
    const ls = await run('ls-remote', 'laptop');
    assert.equal(ls.code, 0, ls.out);
    assert.match(ls.out, new RegExp(`${git(host, 'rev-parse', 'HEAD').trim()}\\s+refs/heads/main`));
    writeFileSync(join(host, 'later.txt'), 'made on the laptop later\n');
    await ferryOk(host, 'add', 'later.txt');
    const fetched = await run('fetch', 'laptop');
    assert.equal(fetched.code, 0, fetched.out);
    assert.equal(
      git(desk, 'rev-parse', 'refs/remotes/laptop/main').trim(),
      git(host, 'rev-parse', 'HEAD').trim(),
    );
    const pushed = await run('push', 'laptop', 'HEAD:refs/heads/from-git');
    assert.equal(pushed.code, 0, pushed.out);
    assert.equal(
      git(host, 'rev-parse', 'refs/heads/from-git').trim(),
      git(desk, 'rev-parse', 'HEAD').trim(),
    );
    // git annex syncs history with it (content is Ferry's to move: git-annex skips the remote)
    const sync = await run('annex', 'sync', '--no-content', 'laptop');
    assert.equal(sync.code, 0, sync.out);
    assert.equal(
      git(host, 'rev-parse', 'refs/heads/synced/main').trim(),
      git(desk, 'rev-parse', 'HEAD').trim(),
    );
    const info = await run('annex', 'whereis', 'photo.jpg');
    assert.equal(info.code, 0, info.out);
  });

  it('joins a folder shared while still empty, and takes its branch once it has one', async () => {
    const empty = join(tmp.path, 'empty');
    git(tmp.path, 'init', '-q', '-b', 'main', empty);
    await ferryOk(empty, 'init', 'empty laptop');
    const repo = await openRepository(empty);
    await service.serve(repo, () => undefined);
    const joined = join(tmp.path, 'joined-empty');
    await joinFolder(service.share(repo), joined, { address });
    writeFileSync(join(empty, 'first.txt'), 'the first file\n');
    await ferryOk(empty, 'add', 'first.txt');
    await ferryOk(joined, 'sync', '--content');
    assert.equal(git(joined, 'symbolic-ref', 'HEAD').trim(), 'refs/heads/main');
    assert.equal(readFileSync(join(joined, 'first.txt'), 'utf8'), 'the first file\n');
  });

  it('refuses a wrong code', async () => {
    const code = service.share(await openRepository(host));
    const wrong = `${code.slice(0, -1)}${code.endsWith('a') ? 'b' : 'a'}`;
    await assert.rejects(
      joinFolder(wrong, join(tmp.path, 'wrong'), { address }),
      /not one this device made|does not match/,
    );
  });

  it('refuses a device whose key is not the one paired', async () => {
    const desk = join(tmp.path, 'desktop');
    const url = git(desk, 'config', 'remote.laptop.url').trim();
    const other = deviceIdentity(join(tmp.path, 'stranger-state')).id;
    git(desk, 'config', 'remote.laptop.url', url.replace(/ferry::[^/]+/, `ferry::${other}`));
    const r = await ferry(desk, 'sync');
    assert.notEqual(r.code, 0);
    assert.match(r.err, /not the paired/);
    git(desk, 'config', 'remote.laptop.url', url);
  });
});
