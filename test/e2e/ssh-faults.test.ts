/**
 * Faults between Ferry and an ssh host (the real OpenSSH server on 127.0.0.1, the host's
 * repository made and checked by the real git-annex): a connection cut in the middle of a
 * download, a host whose disk fills up, a host that refuses the synced branch.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openRepository } from '../../src/engine/annex/repository';
import { findRemote } from '../../src/engine/remotes/git-remotes';
import { SshRemote } from '../../src/engine/remotes/ssh';
import { bytes } from '../helpers/data';
import { annexWhereisUuids, ferry, ferryOk, git } from '../helpers/repos';
import { hasSshd, sshdSuite } from '../helpers/sshd';

const MiB = 1 << 20;

/** A git-annex-shell that keeps a copy of what the client said (to see GET offsets). */
function loggingShell(dir: string): { shell: string; log: string } {
  const shell = join(dir, 'logging-annex-shell');
  const log = join(dir, 'annex-shell.log');
  writeFileSync(shell, `#!/bin/sh\ntee -a '${log}' | git-annex-shell "$@"\n`);
  chmodSync(shell, 0o755);
  return { shell, log };
}

function keyOf(repo: string, file: string): string {
  const target = git(repo, 'cat-file', 'blob', `HEAD:${file}`);
  return target.slice(target.lastIndexOf('/') + 1);
}

function lstatExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function tmpFiles(repo: string): string[] {
  const dir = join(repo, '.git', 'annex', 'tmp');
  return existsSync(dir) ? readdirSync(dir) : [];
}

describe('faults between Ferry and an ssh host', { skip: hasSshd() ? false : 'no sshd' }, () => {
  // the small disks are unmounted before the scratch folder holding them goes
  const mounts: string[] = [];
  after(() => {
    for (const m of mounts) execFileSync('umount', ['-l', m]);
  });
  const { tmp, server } = sshdSuite();

  /** A host made by git-annex holding `files`, and a Ferry clone with it as remote `host`. */
  async function hostAndClone(
    name: string,
    files: Record<string, Buffer>,
    hostDir = join(tmp.path, name, 'host'),
  ): Promise<{ host: string; a: string }> {
    const root = join(tmp.path, name);
    mkdirSync(hostDir, { recursive: true });
    mkdirSync(root, { recursive: true });
    git(root, 'init', '-q', hostDir);
    git(hostDir, 'annex', 'init', '-q', 'host');
    for (const [f, data] of Object.entries(files)) writeFileSync(join(hostDir, f), data);
    if (Object.keys(files).length > 0) git(hostDir, 'annex', 'add', '-q', '.');
    git(hostDir, 'commit', '-q', '--allow-empty', '-m', 'host files');
    const a = join(root, 'A');
    git(root, 'init', '-q', a);
    await ferryOk(a, 'init', 'A');
    git(a, 'remote', 'add', 'host', `ferryhost:${hostDir}`);
    await ferryOk(a, 'sync');
    return { host: hostDir, a };
  }

  it('a connection cut in the middle of a download resumes from the partial copy', async () => {
    const data = bytes(48 * MiB, 7);
    const { host, a } = await hostAndClone('cut', { 'big.bin': data });
    const { shell, log } = loggingShell(join(tmp.path, 'cut'));
    git(a, 'config', 'remote.host.annex-shell', shell);
    const key = keyOf(a, 'big.bin');
    const repo = await openRepository(a);
    const remote = await SshRemote.open(repo, await findRemote(repo, 'host'));
    let done = 0;
    let cut = false;
    const got = remote.retrieve(key, repo, {
      onProgress: (n) => (done = n),
      // slow enough to cut in the middle: 1 MiB chunks, 20 ms each
      throttle: async (n) => {
        await new Promise((r) => setTimeout(r, Math.ceil(n / MiB) * 20));
        if (!cut && done > 12 * MiB) {
          cut = true;
          server().cutConnections();
        }
      },
    });
    await assert.rejects(got, (e: Error) => {
      assert.match(e.message, /host/);
      assert.doesNotMatch(e.message, /undefined|\[object/);
      return true;
    });
    await remote.close();
    assert.ok(cut, 'the connection was cut');
    const partial = tmpFiles(a);
    assert.equal(partial.length, 1, 'the partial copy is kept');
    const kept = statSync(join(a, '.git', 'annex', 'tmp', partial[0] ?? '')).size;
    assert.ok(kept > 8 * MiB && kept < data.length, `partial copy of ${kept} bytes`);
    assert.equal(existsSync(join(a, 'big.bin')) && statSync(join(a, 'big.bin')).size > 200, false);

    // the host is back: the next get asks for the rest only, and the whole verifies
    writeFileSync(log, '');
    await ferryOk(a, 'get', '--from', 'host', 'big.bin');
    const offsets = [...readFileSync(log, 'utf8').matchAll(/^GET (\d+) /gm)].map((m) =>
      Number(m[1]),
    );
    assert.ok(
      offsets.length >= 1 && (offsets[0] ?? 0) > 8 * MiB,
      `GET offsets ${offsets.join(',')}`,
    );
    assert.ok(readFileSync(join(a, 'big.bin')).equals(data));
    assert.deepEqual(tmpFiles(a), []);
    git(a, 'annex', 'fsck', '-q', 'big.bin');
    assert.ok(annexWhereisUuids(host, 'big.bin').length >= 1);
  });

  /** A host on a small file system of its own. */
  async function smallHost(name: string, size: string): Promise<{ host: string; a: string }> {
    const mount = join(tmp.path, `${name}-disk`);
    mkdirSync(mount, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mount]);
    mounts.push(mount);
    return hostAndClone(name, {}, join(mount, 'host'));
  }

  /** Nothing recorded as on the host, by Ferry or by the host itself; our copy intact. */
  async function nothingRecorded(
    a: string,
    host: string,
    file: string,
    data: Buffer,
  ): Promise<void> {
    git(a, 'annex', 'fsck', '-q', file);
    assert.ok(readFileSync(join(a, file)).equals(data));
    await ferryOk(a, 'sync');
    git(host, 'annex', 'merge', '-q');
    const hostUuid = git(host, 'config', 'annex.uuid').trim();
    assert.ok(!annexWhereisUuids(a, file).includes(hostUuid));
    assert.ok(!annexWhereisUuids(host, file).includes(hostUuid));
    assert.equal(
      git(host, 'annex', 'find', '--in=here', '--include=*', '.').trim(),
      '',
      'no object on the host',
    );
  }

  it('a host without room refuses up front and says why; nothing lost, nothing recorded', async () => {
    const { host, a } = await smallHost('noroom', '24m');
    git(host, 'config', 'annex.diskreserve', '1m');
    const data = bytes(32 * MiB, 9);
    writeFileSync(join(a, 'big.bin'), data);
    writeFileSync(join(a, 'small.txt'), 'fits\n');
    await ferryOk(a, 'add', 'big.bin', 'small.txt');
    const r = await ferry(a, 'copy', '--to', 'host', 'big.bin');
    assert.notEqual(r.code, 0);
    assert.match(r.err, /big\.bin failed: host did not take .*not enough free space/);
    assert.match(r.err, /nothing was recorded there/);
    await nothingRecorded(a, host, 'big.bin', data);
    // what fits still goes
    await ferryOk(a, 'copy', '--to', 'host', 'small.txt');
    git(host, 'annex', 'fsck', '-q', '--fast');
  });

  it("the host's disk fills up during an upload: a clear error, nothing lost, resumed once there is room", async () => {
    const { host, a } = await smallHost('fills', '48m');
    // no reserve: the host takes the upload, and its disk runs out in the middle of it
    git(host, 'config', 'annex.diskreserve', '0');
    const data = bytes(24 * MiB, 11);
    writeFileSync(join(a, 'big.bin'), data);
    await ferryOk(a, 'add', 'big.bin');
    const key = keyOf(a, 'big.bin');
    const filler = join(host, '..', 'filler');
    const repo = await openRepository(a);
    const remote = await SshRemote.open(repo, await findRemote(repo, 'host'));
    let done = 0;
    let filled = false;
    const stored = remote.store(key, join(a, 'big.bin'), {
      onProgress: (n) => (done = n),
      throttle: async (n) => {
        await new Promise((r) => setTimeout(r, Math.ceil(n / MiB) * 20));
        if (!filled && done > 8 * MiB) {
          filled = true;
          // something else on the host takes the rest of its disk
          spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1M'], { stdio: 'ignore' });
        }
      },
    });
    await assert.rejects(stored, (e: Error) => {
      assert.match(e.message, /^host did not take .*its disk is full/);
      assert.match(e.message, /nothing was recorded there/);
      assert.doesNotMatch(e.message, /undefined|\[object/);
      return true;
    });
    assert.ok(filled);
    await remote.close();
    // room again (git needs some to take the push): nothing was recorded, and the next copy
    // goes through and the host's copy verifies
    rmSync(filler);
    await nothingRecorded(a, host, 'big.bin', data);
    await ferryOk(a, 'copy', '--to', 'host', 'big.bin');
    git(host, 'annex', 'fsck', '-q', 'big.bin');
    assert.ok(readFileSync(join(host, 'big.bin')).equals(data));
  });

  it('a remote that cannot be asked does not stop a drop the host vouches for, and nothing stays held', async () => {
    const data = bytes(1 * MiB, 13);
    const { host, a } = await hostAndClone('vouch', { 'f.bin': data });
    await ferryOk(a, 'get', '--from', 'host', 'f.bin');
    // a second remote naming another repository than the one at its address
    git(a, 'remote', 'add', 'liar', `ferryhost:${host}`);
    git(a, 'config', 'remote.liar.annex-uuid', '0b3d4f6e-0000-4000-8000-000000000bad');
    // as a process of its own: it must end by itself once done
    const r = spawnSync(
      process.execPath,
      [join(process.cwd(), 'bin', 'ferry.mjs'), 'drop', 'f.bin'],
      {
        cwd: a,
        env: process.env,
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    assert.equal(r.signal, null, `ferry drop did not end by itself: ${r.stdout}${r.stderr}`);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /drop f\.bin ok/);
    assert.equal(existsSync(join(a, 'f.bin')) && lstatExists(join(a, 'f.bin')), false);
    git(host, 'annex', 'fsck', '-q', 'f.bin');
  });

  it('a host that refuses the synced branch gets the tagged push, and merges it', async () => {
    const { host, a } = await hostAndClone('tagged', { 'base.txt': Buffer.from('base\n') });
    // the host takes no synced/* branch (as a push race or a host policy would refuse it)
    const hook = join(host, '.git', 'hooks', 'update');
    writeFileSync(
      hook,
      '#!/bin/sh\ncase "$1" in refs/heads/synced/*) echo "synced branches are refused here" >&2; exit 1;; esac\n',
    );
    chmodSync(hook, 0o755);
    writeFileSync(join(a, 'from-a.txt'), 'A wrote this\n');
    await ferryOk(a, 'add', 'from-a.txt');
    const r = await ferryOk(a, 'sync');
    assert.match(r.out, /pushed to host \(as tagged refs/, r.out + r.err);
    const uuid = git(a, 'config', 'annex.uuid').trim();
    const head = git(a, 'rev-parse', 'HEAD').trim();
    assert.equal(git(host, 'rev-parse', `refs/synced/${uuid}/master`).trim(), head);
    assert.equal(
      git(host, 'rev-parse', `refs/synced/${uuid}/git-annex`).trim(),
      git(a, 'rev-parse', 'refs/heads/git-annex').trim(),
    );
    // on the host, a sync merges the tagged push: A's file arrives in its tree
    await ferryOk(host, 'sync');
    assert.ok(git(host, 'ls-tree', '-r', '--name-only', 'HEAD').split('\n').includes('from-a.txt'));
    assert.ok(existsSync(join(host, 'from-a.txt')) || lstatExists(join(host, 'from-a.txt')));
  });
});
