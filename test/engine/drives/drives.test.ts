/**
 * Drives, end to end on real repositories: a private dbus-daemon with a fake UDisks2 service
 * (plug, mount, unmount, unplug, remount elsewhere), the mount-table fallback with a table the
 * test writes, and a drive pulled out in the middle of a transfer.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as dbus from 'dbus-next';
import { keyOfBuffer } from '../../../src/engine/annex/key';
import { findObject } from '../../../src/engine/annex/object-store';
import { openRepository, type Repository } from '../../../src/engine/annex/repository';
import { DriveManager } from '../../../src/engine/drives/drive-manager';
import { MountTableSource, parseMountInfo } from '../../../src/engine/drives/mounts';
import { UDisks2Source } from '../../../src/engine/drives/udisks2';
import { Assistant } from '../../../src/engine/sync/assistant';
import { parcelWatch } from '../../../src/engine/sync/watcher';
import { Transferrer } from '../../../src/engine/transfer/transferrer';
import type { DriveEvent } from '../../../src/shared/drives';
import type { TransferEvent } from '../../../src/shared/transfers';
import { FakeUDisks2, startPrivateBus, type PrivateBus } from '../../helpers/dbus';
import { assertGitFsck, ferryOk, git, gitAsync, tempDir } from '../../helpers/repos';
import { waitFor } from '../../helpers/wait';
import { bytes } from '../../helpers/data';

interface Setup {
  a: string;
  /** where the drive's filesystem lies while it is not plugged in */
  shelf: string;
  media: string;
  repoA: Repository;
  drive: Repository;
}

/** A: the laptop. The drive: a clone made while it was mounted at media/usb1, then put away. */
async function setup(root: string): Promise<Setup> {
  const a = join(root, 'A');
  const media = join(root, 'media');
  const shelf = join(root, 'shelf');
  mkdirSync(a);
  mkdirSync(media);
  writeFileSync(join(a, 'README.txt'), 'laptop\n');
  await ferryOk(a, 'init', 'laptop');
  await ferryOk(a, 'add', '.');
  const fsRoot = join(media, 'usb1');
  mkdirSync(fsRoot);
  git(root, 'clone', '-q', a, join(fsRoot, 'annex'));
  const d = join(fsRoot, 'annex');
  await ferryOk(d, 'init', 'usb drive');
  writeFileSync(join(d, 'from-drive.jpg'), bytes(200_000, 9));
  await ferryOk(d, 'add', 'from-drive.jpg');
  git(a, 'remote', 'add', 'usb', d);
  await ferryOk(a, 'sync');
  const drive = await openRepository(d);
  renameSync(fsRoot, shelf); // unplugged
  return { a, shelf, media, repoA: await openRepository(a), drive };
}

interface Running {
  assistant: Assistant;
  transfers: Transferrer;
  manager: DriveManager;
  events: DriveEvent[];
  transferEvents: TransferEvent[];
  stop(): Promise<void>;
}

async function startAssistant(
  repo: Repository,
  source: UDisks2Source | MountTableSource,
): Promise<Running> {
  const events: DriveEvent[] = [];
  const transferEvents: TransferEvent[] = [];
  const late: { assistant?: Assistant; manager?: DriveManager } = {};
  const transfers = new Transferrer(repo, {
    onLogsChanged: () => late.assistant?.logsChanged(),
    events: (e) => {
      transferEvents.push(e);
      if (e.type === 'transfer-changed' && e.transfer.state === 'queued')
        late.manager?.transferQueued(e.transfer.remote);
    },
  });
  const assistant = new Assistant(repo, {
    watch: parcelWatch,
    transfers,
    quietMs: 100,
    remoteCheckMs: 60_000,
    retryIntervalMs: 60 * 60_000,
  });
  const manager = new DriveManager(repo, {
    source,
    transfers,
    assistant,
    events: (e) => events.push(e),
  });
  late.assistant = assistant;
  late.manager = manager;
  await assistant.start();
  await assistant.whenIdle();
  await manager.start();
  return {
    assistant,
    transfers,
    manager,
    events,
    transferEvents,
    stop: async () => {
      await manager.stop();
      await assistant.stop();
    },
  };
}

const branchOf = (dir: string): string => git(dir, 'symbolic-ref', '--short', 'HEAD').trim();
const kinds = (events: DriveEvent[]): string[] => events.map((e) => e.type);

/** A drive just plugged in is synced until it is safe to unplug, with the events in order. */
async function syncedToSafeToUnplug(run: Running): Promise<void> {
  await waitFor('safe to unplug', () => kinds(run.events).includes('drive-safe-to-unplug'), 60_000);
  assert.deepEqual(kinds(run.events), ['drive-appeared', 'drive-syncing', 'drive-safe-to-unplug']);
}

describe('drives through UDisks2 on a private D-Bus', () => {
  const tmp = tempDir();
  let bus: PrivateBus;
  let fake: FakeUDisks2;
  let client: dbus.MessageBus;
  let s: Setup;
  let run: Running;

  before(async () => {
    bus = startPrivateBus();
    fake = await FakeUDisks2.start(bus.address);
    client = dbus.sessionBus({ busAddress: bus.address });
    s = await setup(tmp.path);
    run = await startAssistant(s.repoA, new UDisks2Source(client));
  });
  after(async () => {
    await run?.stop();
    client?.disconnect();
    fake?.stop();
    bus?.stop();
    tmp.cleanup();
  });

  it('plug in and mount: pull, merge, push and content both ways, then safe to unplug', async () => {
    const photo = bytes(300_000, 1);
    writeFileSync(join(s.a, 'photo.jpg'), photo);
    await waitFor('photo.jpg committed', async () =>
      (await gitAsync(s.a, 'ls-files', 'photo.jpg')).includes('photo.jpg'),
    );
    await run.assistant.whenIdle();
    const fsRoot = join(s.media, 'usb1');
    renameSync(s.shelf, fsRoot);
    fake.plug('sdb', 'BACKUP');
    fake.mount('sdb', fsRoot);
    await syncedToSafeToUnplug(run);
    const d = join(fsRoot, 'annex');
    // the drive got the laptop's commit and the photo's content
    assert.ok(
      git(d, 'ls-tree', '-r', '--name-only', `refs/heads/synced/${branchOf(s.a)}`).includes(
        'photo.jpg',
      ),
      'the commit was pushed to the drive',
    );
    assert.ok(await findObject(s.drive, keyOfBuffer('SHA256E', 'photo.jpg', photo)));
    // and the laptop got the drive's file and its content
    assert.ok(existsSync(join(s.a, 'from-drive.jpg')), "the drive's file was merged");
    assert.ok(
      await findObject(s.repoA, keyOfBuffer('SHA256E', 'from-drive.jpg', bytes(200_000, 9))),
    );
    // both git-annex branches know both copies
    const photoKey = keyOfBuffer('SHA256E', 'photo.jpg', photo);
    const whereis = JSON.parse(git(d, 'annex', 'whereis', '--json', `--key=${photoKey}`)) as {
      whereis: { uuid: string }[];
    };
    assert.deepEqual(
      whereis.whereis.map((w) => w.uuid).sort(),
      [s.repoA.uuid, s.drive.uuid].sort(),
    );
  });

  it('unmounted and unplugged mid-transfer: nothing lost, resumed at the next plug-in at another path', async () => {
    const big = bytes(6_000_000, 2);
    run.transfers.setRateLimit(1_500_000, 'usb');
    writeFileSync(join(s.a, 'big.iso'), big);
    const key = keyOfBuffer('SHA256E', 'big.iso', big);
    await waitFor(
      'big.iso moving to the drive',
      () =>
        run.transferEvents.some(
          (e) =>
            e.type === 'transfers-progressed' &&
            e.progress.some((p) => p.id.endsWith(key) && p.bytesDone > 500_000),
        ),
      60_000,
    );
    run.events.length = 0;
    fake.unmount('sdb');
    fake.unplug('sdb');
    renameSync(join(s.media, 'usb1'), s.shelf);
    await waitFor('drive removed', () => kinds(run.events).includes('drive-removed'), 20_000);
    const removed = run.events.find((e) => e.type === 'drive-removed');
    assert.equal(removed?.type === 'drive-removed' && removed.interrupted, 1);
    await waitFor('the transfer waits', () =>
      run.transfers.snapshot().some((t) => t.key === key && t.state === 'waiting'),
    );
    const partial = join(s.shelf, 'annex', '.git', 'annex', 'tmp', key);
    assert.ok(
      existsSync(partial) && statSync(partial).size > 0,
      'the partial copy is kept on the drive',
    );
    const partialSize = statSync(partial).size;
    // nothing in the laptop's tree was taken as deleted
    assert.ok(git(s.a, 'ls-files').includes('from-drive.jpg'));

    // plugged back in, mounted somewhere else this time
    run.transfers.setRateLimit(0, 'usb');
    run.events.length = 0;
    const elsewhere = join(s.media, 'BACKUP');
    renameSync(s.shelf, elsewhere);
    fake.plug('sdc', 'BACKUP');
    fake.mount('sdc', elsewhere);
    await waitFor(
      'safe to unplug again',
      () => kinds(run.events).includes('drive-safe-to-unplug'),
      60_000,
    );
    const appeared = run.events.find((e) => e.type === 'drive-appeared');
    assert.equal(
      appeared?.type === 'drive-appeared' && appeared.movedFrom,
      join(s.media, 'usb1', 'annex'),
    );
    assert.equal(git(s.a, 'config', 'remote.usb.url').trim(), join(elsewhere, 'annex'));
    const moved = await openRepository(join(elsewhere, 'annex'));
    assert.ok(await findObject(moved, key), 'the content arrived');
    const done = run.transfers.snapshot().find((t) => t.key === key && t.state === 'done');
    assert.equal(done?.resumedFrom, partialSize, 'resumed from the partial copy, not restarted');

    for (const d of [s.a, join(elsewhere, 'annex')]) {
      assert.equal(
        await gitAsync(d, 'annex', 'fsck', '--fast', '--quiet').then(
          () => 0,
          () => 1,
        ),
        0,
        `git annex fsck in ${d}`,
      );
      assertGitFsck(d);
    }
  });

  it('offers a repository that is not a remote, and an empty drive', async () => {
    run.events.length = 0;
    const other = join(tmp.path, 'media', 'stick');
    mkdirSync(other);
    git(tmp.path, 'clone', '-q', s.a, join(other, 'photos'));
    await ferryOk(join(other, 'photos'), 'init', 'friend');
    fake.plug('sdd', 'STICK');
    fake.mount('sdd', other);
    const empty = join(tmp.path, 'media', 'EMPTY');
    mkdirSync(empty);
    fake.plug('sde', 'EMPTY');
    fake.mount('sde', empty);
    await waitFor(
      'both reported',
      () =>
        kinds(run.events).includes('drive-unknown-repository') &&
        kinds(run.events).includes('drive-empty'),
    );
    const unknown = run.events.find((e) => e.type === 'drive-unknown-repository');
    assert.equal(
      unknown?.type === 'drive-unknown-repository' && unknown.path,
      join(other, 'photos'),
    );
    const emptyEvent = run.events.find((e) => e.type === 'drive-empty');
    assert.equal(emptyEvent?.type === 'drive-empty' && emptyEvent.label, 'EMPTY');
  });
});

describe('drives through the mount table', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('parses mountinfo, escapes and all, keeping only disk filesystems off the system paths', () => {
    const table = [
      '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
      '25 22 0:21 / /proc rw - proc proc rw',
      '40 22 8:17 / /media/me/MY\\040DRIVE rw,nosuid shared:30 - vfat /dev/sdb1 rw,fmask=0022',
      '41 22 0:45 / /run/user/1000 rw - tmpfs tmpfs rw',
    ].join('\n');
    assert.deepEqual(parseMountInfo(table), [
      {
        id: '/dev/sdb1 /media/me/MY DRIVE',
        mountPoint: '/media/me/MY DRIVE',
        device: '/dev/sdb1',
        label: null,
        isRemovable: true,
      },
    ]);
  });

  it('a drive appearing in the table is synced; leaving it, it is removed', async () => {
    const s = await setup(tmp.path);
    let table = '22 1 8:1 / / rw - ext4 /dev/sda1 rw\n';
    const source = new MountTableSource({ read: () => Promise.resolve(table), intervalMs: 60_000 });
    const run = await startAssistant(s.repoA, source);
    try {
      const fsRoot = join(s.media, 'usb1');
      renameSync(s.shelf, fsRoot);
      table += `40 22 8:17 / ${fsRoot} rw - ext4 /dev/sdb1 rw\n`;
      await source.rescan();
      await syncedToSafeToUnplug(run);
      assert.ok(
        await findObject(s.repoA, keyOfBuffer('SHA256E', 'from-drive.jpg', bytes(200_000, 9))),
      );
      table = '22 1 8:1 / / rw - ext4 /dev/sda1 rw\n';
      renameSync(fsRoot, s.shelf);
      await source.rescan();
      await run.manager.whenSettled();
      assert.equal(kinds(run.events).at(-1), 'drive-removed');
      assert.deepEqual(readdirSync(s.shelf), ['annex']);
    } finally {
      await run.stop();
    }
  });

  it('keeps working, and says so, when there is no UDisks2 on the bus', async () => {
    const bus = startPrivateBus();
    const client = dbus.sessionBus({ busAddress: bus.address });
    try {
      await assert.rejects(
        new UDisks2Source(client, { timeoutMs: 2000 }).start(() => undefined),
        /UDisks2/,
      );
    } finally {
      client.disconnect();
      bus.stop();
    }
  });
});
