/** Transfer info files and locks in git-annex's format; the queue's ordering rules. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  retryDelayMs,
  TransferQueue,
  transferId,
  type QueueItem,
} from '../../../src/engine/transfer/queue';
import {
  failedPath,
  formatInfo,
  infoPath,
  isKeyInTransfer,
  isTransferRunning,
  listFailedTransfers,
  listRunningTransfers,
  lockPath,
  parseInfo,
  TransferClaim,
} from '../../../src/engine/annex/transfer-info';
import { parseTimestamp } from '../../../src/engine/annex/timestamp';
import { loadVectors } from '../../helpers/vectors';
import { tempDir } from '../../helpers/repos';

const vectors = loadVectors() as unknown as {
  transfer_info: {
    initial_content: string;
    progress_content_examples: string[];
    upload_path: string;
    lock_path: string;
  };
};

describe('transfer info files', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  const annexdir = join(tmp.path, '.git', 'annex');
  const uuid = 'd0d7b399-eb7b-4a49-b733-3945032f1655';
  const key =
    'SHA256E-s3000000--5ca23515ee30c861c401267480eb4252f1fed88015f559dfd12b3260e75a6066.bin';

  it('paths and contents match what git-annex writes', () => {
    mkdirSync(annexdir, { recursive: true });
    writeFileSync(join(tmp.path, '.git', 'HEAD'), 'ref: refs/heads/master\n');
    assert.equal(
      infoPath(annexdir, 'upload', uuid, key),
      join(tmp.path, vectors.transfer_info.upload_path),
    );
    assert.equal(
      lockPath(annexdir, 'upload', uuid, key),
      join(tmp.path, vectors.transfer_info.lock_path),
    );
    const t = parseTimestamp('1795603894.138484523s') ?? 0n;
    assert.equal(formatInfo(t, undefined, 'mid.bin'), vectors.transfer_info.initial_content);
    assert.equal(
      formatInfo(t, 32752, 'mid.bin'),
      vectors.transfer_info.progress_content_examples[0],
    );
    assert.deepEqual(parseInfo(vectors.transfer_info.progress_content_examples[1] ?? ''), {
      startedAt: 1795603894138,
      bytesDone: 65504,
      file: 'mid.bin',
    });
  });

  it('a claim holds the lock and writes the info; finishing removes both and records failures', async () => {
    const claim = await TransferClaim.claim(annexdir, 'upload', uuid, key, 'mid.bin');
    assert.ok(claim);
    assert.ok(isTransferRunning(annexdir, 'upload', uuid, key));
    assert.equal(
      await TransferClaim.claim(annexdir, 'upload', uuid, key, 'mid.bin'),
      undefined,
      'claimed only once',
    );
    const running = listRunningTransfers(annexdir);
    assert.equal(running.length, 1);
    assert.equal(running[0]?.file, 'mid.bin');
    await claim.progress(1_500_000, 3_000_000);
    assert.match(
      readFileSync(infoPath(annexdir, 'upload', uuid, key), 'utf8'),
      /^\d+(\.\d+)?s 1500000\nmid\.bin\n$/,
    );
    await claim.finish(false);
    assert.equal(existsSync(infoPath(annexdir, 'upload', uuid, key)), false);
    assert.equal(existsSync(lockPath(annexdir, 'upload', uuid, key)), false);
    assert.ok(existsSync(failedPath(annexdir, 'upload', uuid, key)));
    assert.equal(listFailedTransfers(annexdir)[0]?.file, 'mid.bin');
    const again = await TransferClaim.claim(annexdir, 'upload', uuid, key, 'mid.bin');
    assert.ok(again);
    await again.finish(true);
    assert.equal(
      existsSync(failedPath(annexdir, 'upload', uuid, key)),
      false,
      'success clears the failure',
    );
  });

  it('small content is claimed by its lock alone, still seen running, still claimed once', async () => {
    const small =
      'SHA256E-s10--0e8f2a9d7b5c4b3a291817161514131211100f0e0d0c0b0a0908070605040302.txt';
    const claim = await TransferClaim.claim(annexdir, 'download', uuid, small, 'small.txt');
    assert.ok(claim);
    assert.equal(existsSync(infoPath(annexdir, 'download', uuid, small)), false, 'no info file');
    assert.ok(isTransferRunning(annexdir, 'download', uuid, small));
    assert.equal(
      await TransferClaim.claim(annexdir, 'download', uuid, small, 'small.txt'),
      undefined,
    );
    assert.ok(isKeyInTransfer(annexdir, 'download', small), 'found by its name');
    assert.equal(isKeyInTransfer(annexdir, 'upload', small), false, 'not the other way');
    assert.equal(isKeyInTransfer(annexdir, 'download', key), false, 'not another key');
    const seen = listRunningTransfers(annexdir).filter((t) => t.key === small);
    assert.equal(seen.length, 1, 'listed by its held lock');
    assert.equal(seen[0]?.direction, 'download');
    assert.equal(seen[0]?.uuid, uuid);
    await claim.progress(5, 10);
    assert.equal(existsSync(infoPath(annexdir, 'download', uuid, small)), false);
    await claim.finish(true);
    assert.equal(existsSync(lockPath(annexdir, 'download', uuid, small)), false);
    assert.equal(isKeyInTransfer(annexdir, 'download', small), false);
    assert.equal(
      listRunningTransfers(annexdir).some((t) => t.key === small),
      false,
    );
  });

  it('sees a transfer held by another process with a POSIX lock, with its pid', async () => {
    const dir = join(annexdir, 'transfer', 'download', uuid);
    mkdirSync(dir, { recursive: true });
    const info = infoPath(annexdir, 'download', uuid, key);
    const holder = spawn(
      'python3',
      [
        '-c',
        'import fcntl,sys,time; f=open(sys.argv[1],"a+"); fcntl.lockf(f, fcntl.LOCK_EX); open(sys.argv[2],"w").write("1795603797.342421186s\\nbig.bin\\n"); print("locked", flush=True); time.sleep(30)',
        lockPath(annexdir, 'download', uuid, key),
        info,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await once(holder.stdout, 'data');
      const seen = listRunningTransfers(annexdir).find((t) => t.direction === 'download');
      assert.equal(seen?.pid, holder.pid);
      assert.equal(seen?.file, 'big.bin');
      assert.ok(isKeyInTransfer(annexdir, 'download', key), "another process's held lock");
      assert.equal(
        await TransferClaim.claim(annexdir, 'download', uuid, key, 'big.bin'),
        undefined,
      );
    } finally {
      holder.kill();
      await once(holder, 'exit');
    }
    assert.equal(
      listRunningTransfers(annexdir).length,
      0,
      'an info file without a held lock is stale',
    );
  });
});

describe('the transfer queue', () => {
  const item = (n: number, remote = 'usb'): QueueItem => ({
    id: transferId('upload', remote, `K${n}`),
    direction: 'upload',
    key: `K${n}`,
    file: `f${n}`,
    remote,
    remoteUuid: remote,
    queuedAt: n,
  });
  it('puts next before later and never queues the same transfer twice', () => {
    const q = new TransferQueue();
    assert.ok(q.add(item(1), 'later'));
    assert.ok(q.add(item(2), 'later'));
    assert.ok(q.add(item(3), 'next'));
    assert.equal(q.add(item(1), 'next'), false);
    assert.deepEqual(
      q.items().map((i) => i.key),
      ['K3', 'K1', 'K2'],
    );
  });
  it('takes the first item that may start, skipping busy remotes', () => {
    const q = new TransferQueue();
    q.add(item(1, 'slow'), 'later');
    q.add(item(2, 'usb'), 'later');
    assert.equal(q.take((i) => i.remote !== 'slow')?.key, 'K2');
    assert.equal(q.size, 1);
    assert.equal(q.has(transferId('upload', 'slow', 'K1')), true);
  });
  it('backs off from 10 s doubling to 30 min', () => {
    assert.deepEqual([1, 2, 3].map(retryDelayMs), [10_000, 20_000, 40_000]);
    assert.equal(retryDelayMs(20), 30 * 60_000);
  });
});
