/**
 * Assistants with transferrers: a file saved in one clone has its content everywhere that
 * wants it shortly after, through the hub, with location logs git-annex agrees with; a remote
 * added later gets what is already here.
 */
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { keyOfBuffer } from '../../../src/engine/annex/key';
import { findObject } from '../../../src/engine/annex/object-store';
import { openRepository, type Repository } from '../../../src/engine/annex/repository';
import { addSpecialRemote } from '../../../src/engine/remotes/add-special';
import { Assistant } from '../../../src/engine/sync/assistant';
import { parcelWatch } from '../../../src/engine/sync/watcher';
import { Transferrer } from '../../../src/engine/transfer/transferrer';
import { starClones } from '../../helpers/clones';
import { assertGitFsck, ferryOk, git, gitAsync, tempDir } from '../../helpers/repos';
import { waitFor } from '../../helpers/wait';

describe('assistants moving content', () => {
  const tmp = tempDir();
  const running: Assistant[] = [];
  after(async () => {
    await Promise.all(running.map((a) => a.stop()));
    tmp.cleanup();
  });

  it('a file saved in a leaf reaches every clone with its content', async () => {
    const c = await starClones(tmp.path, ['A', 'B', 'C', 'drive']);
    const repos: Repository[] = [];
    for (const p of Object.values(c)) {
      const repo = await openRepository(p);
      repos.push(repo);
      const late: { a?: Assistant } = {};
      const transfers = new Transferrer(repo, { onLogsChanged: () => late.a?.logsChanged() });
      late.a = new Assistant(repo, {
        watch: parcelWatch,
        transfers,
        quietMs: 150,
        remoteCheckMs: 300,
      });
      await late.a.start();
      running.push(late.a);
    }
    const content = Buffer.alloc(2_000_000, 0x5a);
    writeFileSync(join(c.B ?? '', 'video.mp4'), content);
    const key = keyOfBuffer('SHA256E', 'video.mp4', content);
    for (const repo of repos) {
      await waitFor(
        `content in ${repo.top}`,
        async () => (await findObject(repo, key)) !== undefined,
        60000,
      );
    }
    // the unlocked file in each work tree holds the content, not the pointer
    for (const p of Object.values(c)) {
      await waitFor(`video.mp4 populated in ${p}`, () => {
        try {
          return readFileSync(join(p, 'video.mp4')).equals(content);
        } catch {
          return false;
        }
      });
    }
    // the hub's git-annex knows every copy
    await waitFor('whereis lists all four', async () => {
      const out = JSON.parse(
        await gitAsync(c.A ?? '', 'annex', 'whereis', '--json', 'video.mp4'),
      ) as { whereis: unknown[] };
      return out.whereis.length === 4;
    });
    await Promise.all(running.splice(0).map((a) => a.stop()));
    for (const p of Object.values(c)) assertGitFsck(p);
    assert.equal(
      git(c.C ?? '', 'rev-parse', 'HEAD^{tree}'),
      git(c.B ?? '', 'rev-parse', 'HEAD^{tree}'),
    );
  });

  it('sends what is already here to a remote added after the first scan', async () => {
    const dir = join(tmp.path, 'solo');
    mkdirSync(dir);
    writeFileSync(join(dir, 'old-photo.jpg'), Buffer.alloc(50_000, 0x33));
    await ferryOk(dir, 'init', 'solo');
    await ferryOk(dir, 'add', '.');
    const repo = await openRepository(dir);
    const transfers = new Transferrer(repo, {});
    const assistant = new Assistant(repo, { watch: parcelWatch, transfers, quietMs: 150 });
    running.push(assistant);
    await assistant.start();
    await assistant.whenIdle();
    await transfers.scan(); // the first scan, with no remote yet
    const share = join(tmp.path, 'share');
    mkdirSync(share);
    await addSpecialRemote(repo, {
      name: 'share',
      type: 'directory',
      params: `directory=${share}`,
    });
    assistant.remotesChanged();
    await waitFor(
      'old-photo.jpg on the share',
      async () => (await gitAsync(dir, 'annex', 'whereis', 'old-photo.jpg')).includes('share'),
      30_000,
    );
    // the object is in the share's folder, whole
    const photo = Buffer.alloc(50_000, 0x33);
    const key = keyOfBuffer('SHA256E', 'old-photo.jpg', photo);
    const found = spawnSync('find', [share, '-type', 'f', '-name', key], { encoding: 'utf8' });
    const stored = found.stdout.trim().split('\n')[0] ?? '';
    assert.ok(stored !== '' && readFileSync(stored).equals(photo), `${key} stored in the share`);
  });
});
