/**
 * The refs this process moved itself, so that its ref watcher can tell its own commits (the
 * git-annex branch after a location-log change, the branch after a commit or merge) from refs
 * another process or a remote moved. Only the last value per ref is kept: a ref that now holds
 * something else was moved by someone else.
 */
import { join } from 'node:path';
import { compareAndSetRef, readRef } from './ref-store';

const lastSet = new Map<string, string>();

/** compareAndSetRef for a ref of a repository this process works in, remembered as its own. */
export async function setOwnRef(
  gitdir: string,
  ref: string,
  value: string,
  expected: string | undefined | null,
): Promise<boolean> {
  const key = join(gitdir, ref);
  // remembered before the rename, so a watcher event that beats our await still matches
  const before = lastSet.get(key);
  lastSet.set(key, value);
  const ok = await compareAndSetRef(gitdir, ref, value, expected).catch((e: unknown) => {
    restore(key, before);
    throw e;
  });
  if (!ok) restore(key, before);
  return ok;
}

function restore(key: string, before: string | undefined): void {
  if (before === undefined) lastSet.delete(key);
  else lastSet.set(key, before);
}

/** Whether the ref file at `path` (under `gitdir`) holds what this process last set it to. */
export async function holdsOwnValue(gitdir: string, path: string): Promise<boolean> {
  const mine = lastSet.get(path);
  if (mine === undefined || !path.startsWith(`${gitdir}/refs/`)) return false;
  return (await readRef(gitdir, path.slice(gitdir.length + 1))) === mine;
}
