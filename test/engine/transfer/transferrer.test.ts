/**
 * The transferrer on real clones and a "drive" folder: flooding with preferred content, resume
 * after a kill and after a drive is pulled out, corrupt copies refused, races for one key, and
 * git-annex's own transfers shown.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { keyOfBuffer } from '../../../src/engine/annex/key';
import { findObject, tmpPath } from '../../../src/engine/annex/object-store';
import { openRepository } from '../../../src/engine/annex/repository';
import { noteHolder, noteSending } from '../../../src/engine/annex/recent-holders';
import { Transferrer } from '../../../src/engine/transfer/transferrer';
import type { TransferEvent, TransferSnapshot } from '../../../src/shared/transfers';
import { starClones } from '../../helpers/clones';
import {
  annexWhereisUuids,
  assertGitFsck,
  ferry,
  ferryOk,
  git,
  gitStatus,
  jsonLines,
  tempDir,
} from '../../helpers/repos';
import { waitFor } from '../../helpers/wait';
import { bytes } from '../../helpers/data';

describe('flood syncing with preferred content', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('sends each file to every remote that wants it, and git-annex agrees', async () => {
    const c = await starClones(tmp.path, ['A', 'B', 'drive']);
    const [a, b, drive] = [c.A ?? '', c.B ?? '', c.drive ?? ''];
    writeFileSync(join(a, 'photo.jpg'), bytes(300_000, 1));
    writeFileSync(join(a, 'notes.txt'), 'notes\n');
    await ferryOk(a, 'add', '.');
    await ferryOk(drive, 'wanted', 'here', 'include=*.jpg');
    await ferryOk(drive, 'sync');
    await ferryOk(a, 'sync', '--content');
    const [ra, rb, rd] = await Promise.all([a, b, drive].map((d) => openRepository(d)));
    assert.deepEqual(annexWhereisUuids(a, 'photo.jpg'), [ra?.uuid, rb?.uuid, rd?.uuid].sort());
    assert.deepEqual(
      annexWhereisUuids(a, 'notes.txt'),
      [ra?.uuid, rb?.uuid].sort(),
      'the drive does not want .txt',
    );
    assert.ok(await findObject(rd!, keyOfBuffer('SHA256E', 'photo.jpg', bytes(300_000, 1))));
    // every side's own git-annex agrees after it syncs
    await ferryOk(b, 'sync');
    assert.deepEqual(annexWhereisUuids(b, 'photo.jpg'), [ra?.uuid, rb?.uuid, rd?.uuid].sort());
    for (const d of [a, b, drive]) {
      assert.equal(gitStatus(d, 'annex', 'fsck', '--fast').status, 0, d);
      assertGitFsck(d);
    }
  });

  it('downloads what arrived and is missing here', async () => {
    const b = join(tmp.path, 'B');
    await ferryOk(b, 'sync', '--content');
    assert.deepEqual(readFileSync(join(b, 'photo.jpg')), bytes(300_000, 1));
  });
});

describe('not sending content back', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('holds back an upload to a remote that just sent or served the key, and sends the rest', async () => {
    const c = await starClones(tmp.path, ['A', 'B']);
    const [a, b] = [c.A ?? '', c.B ?? ''];
    const came = bytes(50_000, 5);
    const mine = bytes(50_000, 6);
    writeFileSync(join(a, 'came.bin'), came);
    writeFileSync(join(a, 'mine.bin'), mine);
    await ferryOk(a, 'add', '.');
    await ferryOk(a, 'sync');
    const repo = await openRepository(a);
    const cameKey = keyOfBuffer('SHA256E', 'came.bin', came);
    const mineKey = keyOfBuffer('SHA256E', 'mine.bin', mine);
    // B's own log has not arrived yet: only the transfer that brought the key says B has it
    noteHolder(repo.annexdir, cameKey, git(b, 'config', 'annex.uuid').trim());
    const t = new Transferrer(repo, {});
    await t.refresh();
    assert.equal(await t.queueUploads(cameKey, 'came.bin'), 0, 'nothing goes back to B');
    assert.equal(await t.queueUploads(mineKey, 'mine.bin'), 1);
    await t.whenIdle();
    await t.stop();
    const rb = await openRepository(b);
    assert.ok(await findObject(rb, mineKey), 'what B lacks is sent');
    assert.equal(await findObject(rb, cameKey), undefined);
  });
});

describe('a device storing a burst here', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('is not fetched from while it sends, and what it did not send is fetched soon after', async () => {
    const c = await starClones(tmp.path, ['A', 'B']);
    const [a, b] = [c.A ?? '', c.B ?? ''];
    writeFileSync(join(b, 'made-in-b.bin'), bytes(20_000, 9));
    await ferryOk(b, 'add', '.');
    await ferryOk(b, 'sync');
    await ferryOk(a, 'sync');
    const repo = await openRepository(a);
    const key = keyOfBuffer('SHA256E', 'made-in-b.bin', bytes(20_000, 9));
    // B is storing content here (a PUT of its burst) just as its tree arrives
    noteSending(repo.annexdir, git(b, 'config', 'annex.uuid').trim());
    const events: TransferEvent[] = [];
    const t = new Transferrer(repo, { events: (e) => events.push(e) });
    await t.refresh();
    await t.queueDownload(key, 'made-in-b.bin', 'next');
    await waitFor(
      'the download held',
      () =>
        events.some(
          (e) =>
            e.type === 'transfer-changed' &&
            e.transfer.state === 'waiting' &&
            /B is sending content here now/.test(e.transfer.reason ?? ''),
        ),
      10_000,
    );
    assert.equal(await findObject(repo, key), undefined, 'not fetched meanwhile');
    // B sends no more: the download goes on its own
    await waitFor(
      'the content fetched',
      async () => (await findObject(repo, key)) !== undefined,
      20_000,
    );
    await t.stop();
  });
});

describe('resuming interrupted transfers', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  const content = bytes(40_000_000, 7);
  const key = keyOfBuffer('SHA256E', 'big.bin', content);

  it('a killed sync resumes from the partial file', async () => {
    const c = await starClones(tmp.path, ['A', 'B']);
    const [a, b] = [c.A ?? '', c.B ?? ''];
    writeFileSync(join(a, 'big.bin'), content);
    await ferryOk(a, 'add', 'big.bin');
    await ferryOk(a, 'sync');
    git(a, 'config', 'ferry.ratelimit', String(10_000_000));
    const child = spawn(process.execPath, [resolve('bin/ferry.mjs'), 'sync', '--content'], {
      cwd: a,
      stdio: 'ignore',
    });
    const rb = await openRepository(b);
    await waitFor(
      'a partial file in B',
      () => existsSync(tmpPath(rb, key)) && statSync(tmpPath(rb, key)).size > 2_000_000,
    );
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const partial = statSync(tmpPath(rb, key)).size;
    assert.ok(partial > 0 && partial < content.length, `partial ${partial}`);
    assert.equal(await findObject(rb, key), undefined, 'nothing half-written under objects/');
    git(a, 'config', '--unset', 'ferry.ratelimit');
    const events: TransferEvent[] = [];
    const t = new Transferrer(await openRepository(a), { events: (e) => events.push(e) });
    await t.scan();
    await t.whenIdle();
    await t.stop();
    assert.ok(await findObject(rb, key));
    assert.deepEqual(
      readFileSync(
        join(
          b,
          '.git',
          'annex',
          'objects',
          ...git(b, 'annex', 'examinekey', '--format=${hashdirmixed}${key}', key).trim().split('/'),
          key,
        ),
      ),
      content,
    );
    const firstProgress = events.find((e) => e.type === 'transfers-progressed');
    if (firstProgress?.type === 'transfers-progressed')
      assert.ok((firstProgress.progress[0]?.bytesDone ?? 0) >= partial, 'continued, not restarted');
    assertGitFsck(b);
  });

  /** A's big file going to a drive slowly (10 MB/s), with over 2 MB of it there already. */
  async function uploadingToDrive(name: string) {
    const c = await starClones(join(tmp.path, name), ['A', 'drive']).catch(async () => {
      mkdirSync(join(tmp.path, name));
      return starClones(join(tmp.path, name), ['A', 'drive']);
    });
    const [a, drive] = [c.A ?? '', c.drive ?? ''];
    writeFileSync(join(a, 'big.bin'), content);
    await ferryOk(a, 'add', 'big.bin');
    await ferryOk(a, 'sync');
    const states: TransferSnapshot[] = [];
    const t = new Transferrer(await openRepository(a), {
      events: (e) => e.type === 'transfer-changed' && states.push(e.transfer),
    });
    await t.refresh();
    t.setRateLimit(10_000_000);
    await t.queueUploads(key, 'big.bin');
    const rd = await openRepository(drive);
    await waitFor(
      'a partial file on the drive',
      () => existsSync(tmpPath(rd, key)) && statSync(tmpPath(rd, key)).size > 2_000_000,
    );
    return { drive, states, t, rd };
  }

  it('a drive pulled out mid-transfer waits, then resumes when it is back', async () => {
    const { drive, states, t, rd } = await uploadingToDrive('drive-case');
    renameSync(drive, `${drive}.unplugged`);
    await waitFor('waiting for the drive', () =>
      states.some((s) => s.state === 'waiting' && /offline/.test(s.reason ?? '')),
    );
    renameSync(`${drive}.unplugged`, drive);
    t.setRateLimit(0);
    await waitFor('done', () => states.some((s) => s.state === 'done'), 60000);
    await t.stop();
    assert.ok(await findObject(rd, key));
    assert.equal(gitStatus(drive, 'annex', 'fsck', '--fast', '--all').status, 0);
  });

  it('a paused transfer keeps the share it had moved, and goes on from there', async () => {
    const { states, t, rd } = await uploadingToDrive('pause-case');
    const id = states.find((s) => s.state === 'running')?.id ?? '';
    assert.ok(t.pauseTransfer(id));
    await waitFor('paused', () => states.some((s) => s.id === id && s.state === 'paused'));
    const paused = t.snapshot().find((s) => s.id === id);
    assert.equal(paused?.state, 'paused');
    assert.ok((paused?.bytesDone ?? 0) > 1_000_000, `shows ${paused?.bytesDone ?? 0} bytes done`);
    t.setRateLimit(0);
    assert.ok(t.resumeTransfer(id));
    await waitFor('done', () => states.some((s) => s.id === id && s.state === 'done'), 60000);
    await t.stop();
    assert.ok(await findObject(rd, key));
  });
});

describe('corrupt copies and races', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('a corrupt object on one remote is refused and fetched from another', async () => {
    const c = await starClones(tmp.path, ['hub', 'A', 'B']);
    const [hub, a, b] = [c.hub ?? '', c.A ?? '', c.B ?? ''];
    const content = bytes(200_000, 3);
    const key = keyOfBuffer('SHA256E', 'doc.pdf', content);
    writeFileSync(join(hub, 'doc.pdf'), content);
    await ferryOk(hub, 'add', '.');
    await ferryOk(hub, 'sync', '--content'); // A and B both get it
    git(a, 'remote', 'add', 'B', b);
    await ferryOk(a, 'sync');
    await ferryOk(a, 'drop', '--force', 'doc.pdf');
    // corrupt the hub's copy (A's origin, cheapest by name order at equal cost)
    const hubRepo = await openRepository(hub);
    const object = (await findObject(hubRepo, key)) ?? '';
    chmodSync(join(object, '..'), 0o755);
    chmodSync(object, 0o644);
    writeFileSync(object, Buffer.alloc(200_000, 0xff));
    const events: TransferEvent[] = [];
    const t = new Transferrer(await openRepository(a), { events: (e) => events.push(e) });
    await t.refresh();
    await t.queueDownload(key, 'doc.pdf');
    await t.whenIdle();
    await waitFor(
      'downloaded from B',
      async () => (await findObject(await openRepository(a), key)) !== undefined,
    );
    await t.stop();
    assert.deepEqual(readFileSync(join(a, 'doc.pdf')), content);
  });

  it('two Ferry processes and git annex get racing for one key download it once', async () => {
    const root = join(tmp.path, 'race');
    mkdirSync(root);
    const c = await starClones(root, ['src', 'dst']);
    const [src, dst] = [c.src ?? '', c.dst ?? ''];
    const content = bytes(150_000_000, 9);
    writeFileSync(join(src, 'huge.bin'), content);
    await ferryOk(src, 'add', 'huge.bin');
    await ferryOk(src, 'sync');
    await ferryOk(dst, 'sync');
    const run = (cmd: string, args: string[]) =>
      new Promise<{ code: number; out: string }>((res) => {
        const p = spawn(cmd, args, { cwd: dst, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        p.stdout.on('data', (d: Buffer) => (out += d.toString()));
        p.stderr.on('data', (d: Buffer) => (out += d.toString()));
        p.on('exit', (code) => res({ code: code ?? -1, out }));
      });
    const ferryBin = resolve('bin/ferry.mjs');
    const results = await Promise.all([
      run(process.execPath, [ferryBin, 'get', '--json', 'huge.bin']),
      run(process.execPath, [ferryBin, 'get', '--json', 'huge.bin']),
      run('git', ['annex', 'get', 'huge.bin']),
    ]);
    // Exactly one process moved the bytes; the others were refused by the transfer lock or
    // found the content already there. Without the locks two would download at once.
    const downloaded = results.filter((r) =>
      /"note":"from origin\.\.\."|get huge\.bin \(from origin\.\.\.\)/.test(r.out),
    ).length;
    assert.equal(downloaded, 1, JSON.stringify(results.map((r) => r.out.slice(0, 300))));
    for (const r of results) {
      if (r.code !== 0) assert.match(r.out, /transfer already in progress/);
    }
    assert.deepEqual(readFileSync(join(dst, 'huge.bin')).equals(content), true);
    assert.equal(gitStatus(dst, 'annex', 'fsck', 'huge.bin').status, 0);
  });

  it('ferry transfers shows an upload git annex copy is running', async () => {
    const root = join(tmp.path, 'visible');
    mkdirSync(root);
    const c = await starClones(root, ['A', 'B']);
    const [a] = [c.A ?? ''];
    writeFileSync(join(a, 'slow.bin'), bytes(30_000_000, 5));
    await ferryOk(a, 'add', 'slow.bin');
    await ferryOk(a, 'sync');
    const copy = spawn(
      'git',
      ['-c', 'remote.B.annex-bwlimit=5MiB', 'annex', 'copy', '--to', 'B', 'slow.bin'],
      { cwd: a, stdio: 'ignore' },
    );
    try {
      let seen: Record<string, unknown> | undefined;
      await waitFor('the upload in ferry transfers', async () => {
        const out = jsonLines((await ferry(a, 'transfers', '--json')).out)[0] as
          { transfers: Record<string, unknown>[] } | undefined;
        seen = out?.transfers.find((t) => t.direction === 'upload' && t.file === 'slow.bin');
        return seen !== undefined;
      });
      assert.equal(seen?.state, 'running');
      assert.equal(seen?.isExternal, true);
      assert.match(String(seen?.reason), new RegExp(`run by process \\d+`));
    } finally {
      copy.kill();
      await new Promise((r) => copy.on('exit', r));
    }
  });

  it("tells the window about another program's transfer as it moves, and when it ends", async () => {
    const root = join(tmp.path, 'external-events');
    mkdirSync(root);
    const c = await starClones(root, ['A', 'B']);
    const [a] = [c.A ?? ''];
    writeFileSync(join(a, 'slow.bin'), bytes(30_000_000, 6));
    await ferryOk(a, 'add', 'slow.bin');
    await ferryOk(a, 'sync');
    const events: TransferEvent[] = [];
    const t = new Transferrer(await openRepository(a), { events: (e) => events.push(e) });
    await t.refresh();
    t.watchExternal(100);
    const copy = spawn(
      'git',
      ['-c', 'remote.B.annex-bwlimit=5MiB', 'annex', 'copy', '--to', 'B', 'slow.bin'],
      { cwd: a, stdio: 'ignore' },
    );
    try {
      const seen = (): TransferSnapshot[] =>
        events.flatMap((e) =>
          e.type === 'transfer-changed' && e.transfer.isExternal ? [e.transfer] : [],
        );
      await waitFor('the upload seen', () => seen().length > 0, 30_000);
      const first = seen()[0];
      assert.equal(first?.file, 'slow.bin');
      assert.equal(first?.state, 'running');
      assert.equal(first?.remote, 'B');
      copy.kill();
      await new Promise((r) => copy.on('exit', r));
      await waitFor(
        'its end told',
        () => events.some((e) => e.type === 'transfer-gone' && e.id === first?.id),
        10_000,
      );
    } finally {
      copy.kill();
      await t.stop();
    }
  });
});
