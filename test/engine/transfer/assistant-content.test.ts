/**
 * Assistants with transferrers: a file saved in one clone has its content everywhere that
 * wants it shortly after, through the hub, with location logs git-annex agrees with.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { keyOfBuffer } from '../../../src/engine/annex/key';
import { findObject } from '../../../src/engine/annex/object-store';
import { openRepository, type Repository } from '../../../src/engine/annex/repository';
import { Assistant } from '../../../src/engine/sync/assistant';
import { parcelWatch } from '../../../src/engine/sync/watcher';
import { Transferrer } from '../../../src/engine/transfer/transferrer';
import { starClones } from '../../helpers/clones';
import { assertGitFsck, git, gitAsync, tempDir } from '../../helpers/repos';
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
});
