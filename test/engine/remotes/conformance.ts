/**
 * What every remote kind must do behind the `Remote` interface, as one suite each kind runs
 * against its own real remote: store, retrieve, resume after an interrupted upload, has-key,
 * the content lock as proof for a drop, remove, availability, and a corrupt copy refused.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { findObject, tmpPath } from '../../../src/engine/annex/object-store';
import type { Repository } from '../../../src/engine/annex/repository';
import type { Remote } from '../../../src/engine/remotes/remote';

const ABSENT = `SHA256E-s1--${'0'.repeat(64)}`;

export interface RemoteFixture {
  readonly remote: Remote;
  /** a repository holding `key` (8 MiB), which the remote does not have */
  readonly ours: Repository;
  readonly key: string;
  /** another repository without the key, to retrieve into */
  readonly empty: Repository;
  /** makes the remote unreachable (a drive pulled out, a host down) */
  unplug(): void | Promise<void>;
  /** changes the bytes of the remote's copy of `key` without changing its size */
  corrupt(key: string): void;
}

async function objectOf(repo: Repository, key: string): Promise<string> {
  const path = await findObject(repo, key);
  assert.ok(path, `${key} is in ${repo.top}`);
  return path;
}

export function remoteConformance(kind: string, make: () => Promise<RemoteFixture>): void {
  it(`${kind}: is up, stores and has a key, and retrieves it verified`, async () => {
    const f = await make();
    assert.deepEqual(f.remote.availability(), { state: 'up' });
    assert.equal(await f.remote.hasKey(f.key), false);
    const seen: number[] = [];
    await f.remote.store(
      f.key,
      { repo: f.ours, path: await objectOf(f.ours, f.key) },
      {
        onProgress: (n) => seen.push(n),
      },
    );
    assert.equal(await f.remote.hasKey(f.key), true);
    assert.ok(seen.length > 0 && seen.at(-1) === 8 << 20, 'progress reaches the size');
    assert.equal(await f.remote.retrieve(f.key, f.empty), true);
    assert.ok(await findObject(f.empty, f.key), 'retrieved into the store');
    assert.equal(await f.remote.retrieve(ABSENT, f.empty), false, 'a key it lacks');
  });

  it(`${kind}: an interrupted upload resumes from its partial copy`, async () => {
    const f = await make();
    const abort = new AbortController();
    const source = { repo: f.ours, path: await objectOf(f.ours, f.key) };
    await assert.rejects(
      f.remote.store(f.key, source, {
        signal: abort.signal,
        onProgress: (n) => {
          if (n >= 4 << 20) abort.abort();
        },
      }),
    );
    assert.equal(await f.remote.hasKey(f.key), false, 'nothing counts before it is verified');
    const starts: number[] = [];
    await f.remote.store(f.key, source, { onProgress: (n) => starts.push(n) });
    // at least half of what was sent before the stop was kept (a network carries some in flight)
    assert.ok((starts[0] ?? 0) >= 2 << 20, `resumed at ${starts[0] ?? 0}, not from the start`);
    assert.equal(await f.remote.hasKey(f.key), true);
  });

  it(`${kind}: a held content lock stops a removal; removal follows the check`, async () => {
    const f = await make();
    await f.remote.store(f.key, { repo: f.ours, path: await objectOf(f.ours, f.key) });
    assert.equal(await f.remote.lockContent(ABSENT), undefined);
    const lock = await f.remote.lockContent(f.key);
    assert.ok(lock, 'a present key can be locked');
    await assert.rejects(
      f.remote.remove(f.key, () => Promise.resolve()),
      /locked/,
    );
    lock.release();
    await assert.rejects(
      f.remote.remove(f.key, () => Promise.reject(new Error('not enough copies'))),
      /not enough copies/,
    );
    assert.equal(await f.remote.hasKey(f.key), true, 'a refused check removes nothing');
    assert.equal(await f.remote.remove(f.key, () => Promise.resolve()), true);
    assert.equal(await f.remote.hasKey(f.key), false);
  });

  it(`${kind}: a corrupt copy is refused when retrieved, and nothing is stored`, async () => {
    const f = await make();
    await f.remote.store(f.key, { repo: f.ours, path: await objectOf(f.ours, f.key) });
    assert.equal(await f.remote.checkCopy(f.key, true), true, 'a good copy holds up');
    f.corrupt(f.key);
    assert.equal(await f.remote.checkCopy(f.key, false), true, 'same size: only a checksum tells');
    assert.equal(await f.remote.checkCopy(f.key, true), false, 'the checksum tells');
    assert.equal(await f.remote.checkCopy(ABSENT, false), false);
    await assert.rejects(f.remote.retrieve(f.key, f.empty), /does not match its checksum/);
    assert.equal(await findObject(f.empty, f.key), undefined);
    await assert.rejects(import('node:fs/promises').then((m) => m.stat(tmpPath(f.empty, f.key))));
  });

  it(`${kind}: says why when it cannot be reached`, async () => {
    const f = await make();
    await f.unplug();
    // a network remote learns it is gone by trying
    await f.remote.hasKey(f.key).catch(() => undefined);
    const a = f.remote.availability();
    assert.equal(a.state, 'down');
    assert.ok(a.state === 'down' && a.message.length > 0);
  });
}
