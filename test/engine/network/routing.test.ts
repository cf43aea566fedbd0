/**
 * Routing on real repositories: content follows the least-cost routes of the network map,
 * forwarded through the repositories on the way; bytes and cost-weighted bytes are compared with
 * real flooding (every repository's transferrer flooding its own remotes) on the same topology.
 */
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { keyOfBuffer } from '../../../src/engine/annex/key';
import { findObject } from '../../../src/engine/annex/object-store';
import { openRepository, type Repository } from '../../../src/engine/annex/repository';
import { Transferrer } from '../../../src/engine/transfer/transferrer';
import type { NetworkMap } from '../../../src/shared/network';
import type { TransferSnapshot } from '../../../src/shared/transfers';
import {
  annexWhereisUuids,
  assertGitFsck,
  ferryOk,
  git,
  gitStatus,
  tempDir,
} from '../../helpers/repos';
import { waitFor } from '../../helpers/wait';
import { bytes } from '../../helpers/data';

/** Clones of A named `names`; `links` are [from, to, cost] remotes (to may be a path override). */
async function topology(
  root: string,
  names: readonly string[],
  links: readonly [string, string, number, string?][],
): Promise<Record<string, string>> {
  const paths: Record<string, string> = {};
  const [first, ...rest] = names;
  const a = join(root, first ?? 'A');
  mkdirSync(a);
  writeFileSync(join(a, 'README.txt'), 'shared\n');
  await ferryOk(a, 'init', first ?? 'A');
  await ferryOk(a, 'add', '.');
  paths[first ?? 'A'] = a;
  for (const n of rest) {
    const p = join(root, n);
    git(root, 'clone', '-q', a, p);
    git(p, 'remote', 'remove', 'origin');
    await ferryOk(p, 'init', n);
    paths[n] = p;
  }
  for (const [from, to, cost, url] of links) {
    const f = paths[from] ?? '';
    git(f, 'remote', 'add', to, url ?? paths[to] ?? '');
    git(f, 'config', `remote.${to}.annex-cost`, String(cost));
  }
  return paths;
}

async function addFile(dir: string, name: string, content: Buffer): Promise<string> {
  writeFileSync(join(dir, name), content);
  await ferryOk(dir, 'add', name);
  return keyOfBuffer('SHA256E', name, content);
}

interface Moved {
  transfers: number;
  bytes: number;
  costBytes: number;
}

async function route(repo: Repository, seen: TransferSnapshot[] = []): Promise<Moved> {
  const t = new Transferrer(repo, {
    routing: 'route',
    events: (e) => {
      if (e.type !== 'transfer-changed' || e.transfer.state !== 'done') return;
      if (!seen.some((s) => s.id === e.transfer.id)) seen.push(e.transfer);
    },
  });
  await t.scan();
  await t.whenIdle();
  await t.stop();
  return t.movedTotals();
}

/** Real flooding: each repository floods its own remotes, in rounds, until nothing moves. */
async function flood(repos: readonly Repository[]): Promise<Moved> {
  const total = { transfers: 0, bytes: 0, costBytes: 0 };
  for (let round = 0; round < repos.length; round++) {
    let moved = 0;
    for (const r of repos) {
      const t = new Transferrer(r, { routing: 'flood' });
      await t.scan();
      await t.whenIdle();
      await t.stop();
      const m = t.movedTotals();
      moved += m.transfers;
      total.transfers += m.transfers;
      total.bytes += m.bytes;
      total.costBytes += m.costBytes;
    }
    if (moved === 0) break;
  }
  return total;
}

function report(t: TestContext, name: string, routed: Moved, flooded: Moved): void {
  t.diagnostic(
    `${name}: routing ${routed.transfers} transfers, ${routed.bytes} bytes, ${routed.costBytes} cost-bytes; flooding ${flooded.transfers} transfers, ${flooded.bytes} bytes, ${flooded.costBytes} cost-bytes`,
  );
}

type Links = readonly [string, string, number, string?][];

/** The same topology twice: content routed in one, flooded in the other. */
async function compare(
  root: string,
  names: readonly string[],
  links: Links,
  file: string,
  content: Buffer,
): Promise<{
  p: Record<string, string>;
  repos: Record<string, Repository>;
  key: string;
  seen: TransferSnapshot[];
  routed: Moved;
  flooded: Moved;
}> {
  mkdirSync(join(root, 'route'), { recursive: true });
  mkdirSync(join(root, 'flood'), { recursive: true });
  const p = await topology(join(root, 'route'), names, links);
  const f = await topology(join(root, 'flood'), names, links);
  const key = await addFile(p[names[0] ?? ''] ?? '', file, content);
  await addFile(f[names[0] ?? ''] ?? '', file, content);
  // the tree travels first, as the assistant sends it
  for (const n of names) {
    await ferryOk(p[n] ?? '', 'sync');
    await ferryOk(f[n] ?? '', 'sync');
  }
  const repos: Record<string, Repository> = {};
  for (const n of names) repos[n] = await openRepository(p[n] ?? '');
  const seen: TransferSnapshot[] = [];
  const routed = await route(repos[names[0] ?? ''] as Repository, seen);
  const flooded = await flood(await Promise.all(names.map((n) => openRepository(f[n] ?? ''))));
  return { p, repos, key, seen, routed, flooded };
}

describe('routing content along least-cost routes', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  const SIZE = 300_000;

  it('a chain A -> B -> C: C gets the content through B', async (t) => {
    const { p, repos, key, seen, routed, flooded } = await compare(
      join(tmp.path, 'chain'),
      ['A', 'B', 'C'],
      [
        ['A', 'B', 100],
        ['B', 'C', 100],
      ],
      'video.mp4',
      bytes(SIZE, 1),
    );
    report(t, 'chain', routed, flooded);
    assert.ok(await findObject(repos.C!, key), 'C has the content');
    const toC = seen.find((s) => s.remoteUuid === repos.C?.uuid);
    assert.equal(toC?.via, 'B', 'it was forwarded by B');
    assert.deepEqual(
      seen.find((s) => s.remoteUuid === repos.B?.uuid)?.nextHops,
      ['C'],
      'the first hop knew where the content goes next',
    );
    assert.deepEqual(
      annexWhereisUuids(p.B ?? '', 'video.mp4'),
      [repos.A?.uuid, repos.B?.uuid, repos.C?.uuid].sort(),
      "B's git-annex knows C has it",
    );
    assert.equal(seen.filter((s) => s.file === 'video.mp4').length, 2);
    assert.ok(routed.bytes <= flooded.bytes && routed.costBytes <= flooded.costBytes);
    for (const d of Object.values(p)) {
      assert.equal(gitStatus(d, 'annex', 'fsck', '--fast', '--quiet').status, 0, d);
      assertGitFsck(d);
    }
  });

  it('a diamond takes its cheap branch, sending cheaper bytes than flooding', async (t) => {
    const { repos, key, seen, routed, flooded } = await compare(
      join(tmp.path, 'diamond'),
      ['A', 'B', 'C', 'D'],
      [
        ['A', 'B', 10],
        ['A', 'C', 500],
        ['B', 'D', 10],
        ['C', 'D', 500],
        ['B', 'C', 10],
      ],
      'album.flac',
      bytes(SIZE, 2),
    );
    report(t, 'diamond', routed, flooded);
    for (const n of ['B', 'C', 'D']) assert.ok(await findObject(repos[n]!, key), `${n} has it`);
    assert.deepEqual(
      seen
        .filter((s) => s.file === 'album.flac')
        .map((s) => `${s.via ?? 'A'}>${s.remote}`)
        .sort(),
      ['A>B', 'B>C', 'B>D'],
      'nothing crosses the 500 links',
    );
    assert.ok(routed.bytes <= flooded.bytes, 'never more bytes than flooding');
    assert.ok(routed.costBytes < flooded.costBytes, 'cheaper bytes than flooding');
  });

  it('re-routes when the cheap link goes down in the middle of a transfer', async (t) => {
    const root = join(tmp.path, 'reroute');
    mkdirSync(root);
    const dlink = join(root, 'D-via-cable');
    const p = await topology(
      root,
      ['A', 'B', 'C', 'D'],
      [
        ['A', 'B', 10],
        ['A', 'C', 50],
        ['B', 'D', 10, dlink],
        ['C', 'D', 50],
      ],
    );
    symlinkSync(p.D ?? '', dlink);
    const SLOW = 10_000_000; // several 4 MiB chunks, so the limit below holds it back
    const key = await addFile(p.A ?? '', 'big.iso', bytes(SLOW, 3));
    const repos: Record<string, Repository> = {};
    for (const n of ['A', 'B', 'C', 'D']) repos[n] = await openRepository(p[n] ?? '');
    const seen: TransferSnapshot[] = [];
    let forwardRunning = false;
    const tr = new Transferrer(repos.A!, {
      routing: 'route',
      events: (e) => {
        if (e.type !== 'transfer-changed') return;
        if (e.transfer.state === 'done' && !seen.some((s) => s.id === e.transfer.id))
          seen.push(e.transfer);
        if (e.transfer.state === 'running' && e.transfer.via === 'B') forwardRunning = true;
      },
    });
    tr.setRateLimit(1_000_000, 'D'); // the last hop, B -> D (or C -> D), is slow
    await tr.scan();
    await waitFor('B -> D starts', () => forwardRunning, 20_000);
    unlinkSync(dlink); // the cable between B and D is pulled
    tr.setRateLimit(0, 'D');
    await tr.whenIdle();
    // a hop held up for a moment (a lock of the cut transfer) is retried; wait for the delivery
    await waitFor(
      'D has the content',
      async () => (await findObject(repos.D!, key)) !== undefined,
      30_000,
    );
    await waitFor('the delivery is reported', () =>
      seen.some((s) => s.remoteUuid === repos.D?.uuid && s.file === 'big.iso'),
    );
    await tr.stop();
    const moved = tr.movedTotals();
    t.diagnostic(
      `re-route: ${moved.transfers} transfers, ${moved.bytes} bytes, ${moved.costBytes} cost-bytes (the cut transfer's bytes resumed, not sent again)`,
    );
    assert.ok(await findObject(repos.D!, key), 'D got the content anyway');
    assert.equal(
      seen.find((s) => s.remoteUuid === repos.D?.uuid && s.file === 'big.iso')?.via,
      'C',
      'the second route, through C, delivered it',
    );
    for (const d of Object.values(p)) {
      const fsck = gitStatus(d, 'annex', 'fsck', '--fast', '--quiet');
      assert.equal(fsck.status, 0, `${d}: ${fsck.stdout}${fsck.stderr}`);
      assertGitFsck(d);
    }
  });

  it('reports the map when it changes, and only then', async () => {
    const root = join(tmp.path, 'events');
    mkdirSync(root);
    const p = await topology(root, ['A', 'B', 'C'], [['A', 'B', 100]]);
    const maps: NetworkMap[] = [];
    const tr = new Transferrer(await openRepository(p.A ?? ''), {
      network: (e) => maps.push(e.map),
    });
    await tr.refresh();
    assert.equal(maps.length, 1);
    assert.equal(maps[0]?.arborescence.length, 1);
    await tr.refreshMap();
    assert.equal(maps.length, 1, 'nothing changed, nothing reported');
    git(p.B ?? '', 'remote', 'add', 'C', p.C ?? '');
    await tr.refreshMap();
    assert.equal(maps.length, 2);
    assert.deepEqual(
      maps[1]?.arborescence.map((e) => e.remote),
      ['B', 'C'],
      'C is reached through B now',
    );
    await tr.stop();
  });
});
