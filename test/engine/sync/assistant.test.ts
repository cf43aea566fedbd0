/**
 * The assistant on real clones with real watchers: saves travel everywhere, simultaneous
 * conflicting edits end with every version kept and the same tree everywhere, bursts become a
 * few commits, and a folder that disappears and comes back is picked up again.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openRepository } from '../../../src/engine/annex/repository';
import { Assistant } from '../../../src/engine/sync/assistant';
import { parcelWatch } from '../../../src/engine/sync/watcher';
import type { SyncEvent } from '../../../src/shared/events';
import { headTree, lsTree, starClones } from '../../helpers/clones';
import { assertGitFsck, ferryOk, git, tempDir } from '../../helpers/repos';
import { waitFor } from '../../helpers/wait';

async function startAssistants(
  paths: readonly string[],
  events: SyncEvent[] = [],
): Promise<Assistant[]> {
  const out: Assistant[] = [];
  for (const p of paths) {
    const a = new Assistant(await openRepository(p), {
      watch: parcelWatch,
      events: (e) => events.push(e),
      quietMs: 200,
      remoteCheckMs: 300,
    });
    await a.start();
    out.push(a);
  }
  await Promise.all(out.map((a) => a.whenIdle()));
  return out;
}

function sameTreeEverywhere(paths: readonly string[]): boolean {
  const trees = paths.map(headTree);
  return trees.every((t) => t === trees[0]);
}

describe('the assistant on three clones (star)', () => {
  const tmp = tempDir();
  let assistants: Assistant[] = [];
  let paths: Record<string, string> = {};
  const events: SyncEvent[] = [];
  after(async () => {
    await Promise.all(assistants.map((a) => a.stop()));
    tmp.cleanup();
  });

  it('a file saved in a leaf appears in every tree', async () => {
    paths = await starClones(tmp.path, ['A', 'B', 'C']);
    assistants = await startAssistants(Object.values(paths), events);
    writeFileSync(join(paths.C ?? '', 'from-c.txt'), 'saved in C\n');
    for (const name of ['A', 'B']) {
      await waitFor(
        `from-c.txt in ${name}`,
        () =>
          lsTree(paths[name] ?? '').includes('from-c.txt') &&
          existsSync(join(paths[name] ?? '', 'from-c.txt')),
      );
    }
    assert.ok(events.some((e) => e.type === 'committed' && e.repo === paths.C));
    assert.ok(events.some((e) => e.type === 'pushed'));
  });

  it('simultaneous conflicting edits keep both versions, with the same tree everywhere', async () => {
    const all = Object.values(paths);
    writeFileSync(join(paths.B ?? '', 'shared.txt'), 'B wrote this\n');
    writeFileSync(join(paths.C ?? '', 'shared.txt'), 'C wrote this\n');
    await waitFor('both variants everywhere', () =>
      all.every((p) => lsTree(p).filter((f) => f.startsWith('shared.variant-')).length === 2),
    );
    await waitFor('the same tree everywhere', () => sameTreeEverywhere(all));
    assert.ok(events.some((e) => e.type === 'conflict-resolved' && e.path === 'shared.txt'));
  });

  it('a burst of 300 files is committed in a few commits and reaches the others', async () => {
    const a = paths.A ?? '';
    const before = Number(git(a, 'rev-list', '--count', 'HEAD').trim());
    mkdirSync(join(a, 'burst'));
    for (let i = 0; i < 300; i++) writeFileSync(join(a, 'burst', `f${i}.txt`), `file ${i}\n`);
    await waitFor(
      'burst in B',
      () => lsTree(paths.B ?? '').filter((f) => f.startsWith('burst/')).length === 300,
    );
    await waitFor(
      'burst in C',
      () => lsTree(paths.C ?? '').filter((f) => f.startsWith('burst/')).length === 300,
    );
    const commitsInA = git(
      a,
      'log',
      '--format=%s',
      `HEAD~${Number(git(a, 'rev-list', '--count', 'HEAD').trim()) - before}..HEAD`,
    )
      .split('\n')
      .filter((s) => s === 'git-annex in A').length;
    assert.ok(commitsInA >= 1 && commitsInA <= 5, `${commitsInA} commits for the burst`);
  });

  it('renames and deletions travel', async () => {
    const all = Object.values(paths);
    renameSync(join(paths.B ?? '', 'from-c.txt'), join(paths.B ?? '', 'renamed.txt'));
    await waitFor('rename everywhere', () =>
      all.every((p) => lsTree(p).includes('renamed.txt') && !lsTree(p).includes('from-c.txt')),
    );
    await waitFor('the same tree everywhere', () => sameTreeEverywhere(all));
    for (const p of all) assertGitFsck(p);
  });

  it('a folder that disappears and comes back is watched again', async () => {
    const b = paths.B ?? '';
    renameSync(b, `${b}.away`);
    await new Promise((r) => setTimeout(r, 1200));
    renameSync(`${b}.away`, b);
    await new Promise((r) => setTimeout(r, 1500));
    writeFileSync(join(b, 'after-return.txt'), 'back\n');
    await waitFor('after-return.txt in A', () =>
      lsTree(paths.A ?? '').includes('after-return.txt'),
    );
  });
});

describe('the assistant on five clones in a chain', () => {
  const tmp = tempDir();
  const assistants: Assistant[] = [];
  after(async () => {
    await Promise.all(assistants.map((a) => a.stop()));
    tmp.cleanup();
  });

  it('changes at both ends reach every clone', async () => {
    const names = ['c1', 'c2', 'c3', 'c4', 'c5'];
    const paths = names.map((n) => join(tmp.path, n));
    mkdirSync(paths[0] ?? '');
    writeFileSync(join(paths[0] ?? '', 'start.txt'), 'start\n');
    await ferryOk(paths[0] ?? '', 'init', 'c1');
    await ferryOk(paths[0] ?? '', 'add', '.');
    for (let i = 1; i < names.length; i++) {
      git(tmp.path, 'clone', '-q', paths[i - 1] ?? '', paths[i] ?? '');
      await ferryOk(paths[i] ?? '', 'init', names[i] ?? '');
      git(paths[i - 1] ?? '', 'remote', 'add', names[i] ?? '', paths[i] ?? '');
    }
    assistants.push(...(await startAssistants(paths)));
    writeFileSync(join(paths[0] ?? '', 'head.txt'), 'from the first\n');
    writeFileSync(join(paths[4] ?? '', 'tail.txt'), 'from the last\n');
    await waitFor(
      'both files everywhere',
      () => paths.every((p) => lsTree(p).includes('head.txt') && lsTree(p).includes('tail.txt')),
      60000,
    );
    await waitFor('the same tree everywhere', () => sameTreeEverywhere(paths), 60000);
    for (const p of paths) assertGitFsck(p);
  });
});
