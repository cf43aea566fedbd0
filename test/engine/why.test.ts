/**
 * "Why isn't it synced?" on real repositories: a remote that is unplugged, content nobody has,
 * a remote whose preferred content leaves a file out (not out of sync), one side of a conflict,
 * and, with the engine running, paused transfers; `ferry status --why --json` and the engine's
 * command say the same.
 */
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Engine } from '../../src/engine/engine';
import { parcelWatch } from '../../src/engine/sync/watcher';
import type { OutOfSync } from '../../src/shared/types';
import { ferryOk, git, jsonLines, tempDir } from '../helpers/repos';
import { waitFor } from '../helpers/wait';

describe('why a file is not in sync', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('gives one reason per file and place, and nothing once all is in sync', async () => {
    const a = join(tmp.path, 'A');
    mkdirSync(join(a, 'raw'), { recursive: true });
    writeFileSync(join(a, 'one.txt'), 'one\n');
    writeFileSync(join(a, 'raw', 'big.raw'), Buffer.alloc(3000, 2));
    await ferryOk(a, 'init', 'laptop');
    await ferryOk(a, 'add', '.');
    git(a, 'config', 'annex.largefiles', 'largerthan=100b');
    writeFileSync(join(a, 'notes.md'), 'small notes\n');
    await ferryOk(a, 'add', 'notes.md');
    const b = join(tmp.path, 'B');
    git(tmp.path, 'clone', '-q', a, b);
    await ferryOk(b, 'init', 'usb');
    git(a, 'remote', 'add', 'usb', b);
    await ferryOk(a, 'sync');
    await ferryOk(a, 'wanted', 'usb', 'exclude=raw/*');
    const why = async (...paths: string[]): Promise<OutOfSync[]> =>
      jsonLines(
        (await ferryOk(a, 'status', '--why', '--json', ...paths)).out,
      ) as unknown as OutOfSync[];
    assert.deepEqual(
      (await why()).map((e) => [e.path, e.remote, e.reason]),
      [['one.txt', 'usb', 'queued']],
      'raw/big.raw is not wanted there: not out of sync',
    );
    assert.deepEqual(
      (await why('raw')).map((e) => [e.path, e.remote, e.reason]),
      [['raw/big.raw', 'usb', 'not-wanted']],
      'asked about it, the answer is that usb does not want it',
    );
    assert.deepEqual(
      (await why('notes.md')).map((e) => [e.path, e.reason]),
      [['notes.md', 'in-git']],
    );
    renameSync(b, `${b}.away`);
    const away = await why();
    assert.equal(away[0]?.reason, 'offline');
    assert.match(away[0]?.text ?? '', /usb is offline/);
    renameSync(`${b}.away`, b);
    await ferryOk(a, 'copy', '--to', 'usb', 'one.txt');
    assert.deepEqual(await why(), []);
    assert.match(
      (await ferryOk(a, 'status', '--why')).out,
      /everything here and on the remotes is in sync/,
    );

    // a file whose content nobody has, and one side of a conflict
    await ferryOk(b, 'sync');
    await ferryOk(a, 'drop', '--force', 'raw/big.raw');
    const lost = (await why('raw')).find((e) => e.remote === null);
    assert.equal(lost?.reason, 'no-copy');
    writeFileSync(join(a, 'doc.variant-1a2b.txt'), 'theirs\n'.repeat(40));
    await ferryOk(a, 'add', 'doc.variant-1a2b.txt');
    assert.ok(
      (await why()).some((e) => e.reason === 'conflict' && e.path === 'doc.variant-1a2b.txt'),
    );
  });

  it('tells paused transfers apart when the engine runs', async () => {
    const a = join(tmp.path, 'P');
    mkdirSync(a);
    await ferryOk(a, 'init', 'desk');
    const b = join(tmp.path, 'Q');
    git(tmp.path, 'clone', '-q', a, b);
    await ferryOk(b, 'init', 'nas');
    git(a, 'remote', 'add', 'nas', b);
    const engine = new Engine({ watch: parcelWatch, quietMs: 50 });
    await engine.start();
    try {
      const h = engine.handlers();
      const view = await h.addFolder({ path: a });
      await h.pauseRemote({ remote: 'nas' });
      writeFileSync(join(a, 'held.txt'), 'held back\n');
      await waitFor(
        'held.txt paused for nas',
        async () =>
          (await h.whyNotSynced({ repository: view.uuid })).some(
            (e) => e.path === 'held.txt' && e.remote === 'nas' && e.reason === 'paused',
          ),
        20_000,
      );
    } finally {
      await engine.stop();
    }
  });
});
