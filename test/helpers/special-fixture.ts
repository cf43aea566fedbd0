/**
 * What the special remote kinds' conformance suites share: a repository holding an 8 MiB file,
 * the remote made with `ferry initremote`, a clone to retrieve into, and the ways to corrupt what
 * a store keeps on disk (bytes flipped mid-file, the size kept).
 */
import {
  closeSync,
  openSync,
  readdirSync,
  readSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { openRepository } from '../../src/engine/annex/repository';
import { findRemote } from '../../src/engine/remotes/git-remotes';
import { openRemote } from '../../src/engine/remotes/registry';
import type { RemoteFixture } from '../engine/remotes/conformance';
import { bytes } from './data';
import { ferryOk, git } from './repos';

/** Every file under `dir` that `keep` accepts (by name), in every folder. */
export function filesUnder(dir: string, keep: (name: string) => boolean = () => true): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name), keep) : keep(e.name) ? [join(dir, e.name)] : [],
  );
}

/** Changes bytes in the middle of a file without changing its size. */
export function flipMiddle(file: string): void {
  const fd = openSync(file, 'r+');
  const at = Math.floor(statSync(file).size / 2);
  const b = Buffer.alloc(16);
  readSync(fd, b, 0, 16, at);
  for (let i = 0; i < b.length; i++) b[i] = (b[i] ?? 0) ^ 0x5a;
  writeSync(fd, b, 0, 16, at);
  closeSync(fd);
}

/** A repository, a special remote `remote` made with `params`, and a clone to retrieve into. */
export async function specialFixture(
  root: string,
  seed: number,
  params: readonly string[],
  how: Pick<RemoteFixture, 'unplug' | 'corrupt'>,
): Promise<RemoteFixture> {
  const a = join(root, 'A');
  const c = join(root, 'C');
  git(join(root, '..'), 'init', '-q', a);
  writeFileSync(join(a, 'big.bin'), bytes(8 << 20, seed));
  await ferryOk(a, 'init', 'A');
  await ferryOk(a, 'add', 'big.bin');
  await ferryOk(a, 'initremote', 'remote', ...params);
  git(root, 'clone', '-q', a, c);
  await ferryOk(c, 'init', 'C');
  const ours = await openRepository(a);
  const remote = await openRemote(ours, await findRemote(ours, 'remote'));
  const target = git(a, 'cat-file', 'blob', 'HEAD:big.bin');
  return {
    remote,
    ours,
    key: target.slice(target.lastIndexOf('/') + 1),
    empty: await openRepository(c),
    ...how,
  };
}
