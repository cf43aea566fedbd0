/**
 * Updating refs in any repository on this machine the way git does: take `<ref>.lock` with
 * O_EXCL, check the old value, write, rename. Used for our own refs and for pushes into a
 * local-path remote, where another git (or git-annex) may be working at the same time.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { errnoCode, FerryError } from '../errors';
import { makeParentDirs } from '../os/safe-path';
import { openLockFile } from './index-file';
import { resolveRefIn } from './ref-read';
import { assertGitDirPresent, gitFs as fs } from './context';

export function readRef(gitdir: string, ref: string): Promise<string | undefined> {
  return resolveRefIn(gitdir, ref);
}

/** Full names of refs under a prefix (loose and packed), e.g. `refs/heads`; lock files are not refs. */
export async function listRefNames(gitdir: string, prefix: string): Promise<string[]> {
  try {
    return (await git.listRefs({ fs, gitdir, filepath: prefix }))
      .filter((r) => !r.endsWith('.lock'))
      .map((r) => `${prefix}/${r}`);
  } catch {
    return [];
  }
}

/**
 * Sets `ref` to `value` if it currently holds `expected` (undefined: must not exist; null: any).
 * Returns false when the ref holds something else; throws when the lock is busy.
 */
export async function compareAndSetRef(
  gitdir: string,
  ref: string,
  value: string,
  expected: string | undefined | null,
): Promise<boolean> {
  const path = join(gitdir, ref);
  const lockPath = `${path}.lock`;
  assertGitDirPresent(gitdir);
  // a remote's refs folders are untrusted: made or checked one at a time, never through a link
  await makeParentDirs(gitdir, ref);
  let handle;
  try {
    handle = await openLockFile(lockPath);
  } catch (e) {
    if (errnoCode(e) === 'EEXIST') {
      throw new FerryError(
        'lock-busy',
        `${ref} is being updated by another process (${lockPath} exists)`,
        { ref, gitdir },
      );
    }
    throw e;
  }
  try {
    const current = await readRef(gitdir, ref);
    if (expected !== null && current !== expected) {
      await handle.close();
      await fsp.rm(lockPath, { force: true });
      return false;
    }
    await handle.writeFile(`${value}\n`);
    await handle.close();
    await fsp.rename(lockPath, path);
    return true;
  } catch (e) {
    await handle.close().catch(() => undefined);
    await fsp.rm(lockPath, { force: true });
    throw e;
  }
}

export async function deleteRef(gitdir: string, ref: string): Promise<void> {
  await git.deleteRef({ fs, gitdir, ref }).catch(() => undefined);
}
