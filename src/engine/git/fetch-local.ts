/** `git fetch <remote>` for a local-path remote: its branches land in refs/remotes/<name>/*. */
import { isFerryError } from '../errors';
import type { GitContext } from './context';
import type { ObjectDatabase } from './object-db';
import { compareAndSetRef, listRefNames, readRef } from './ref-store';
import { gitContext } from './context';
import { copyObjects } from './transport-local';

export interface FetchResult {
  /** refs/remotes/<name>/... that changed, with their new values */
  readonly updated: { ref: string; from: string | undefined; to: string }[];
  readonly objects: number;
  /** branches that were not fetched, with why (a bad object on them); the others were */
  readonly refused: { ref: string; reason: string }[];
}

export async function fetchLocal(
  local: GitContext,
  localDb: ObjectDatabase,
  remoteName: string,
  remoteGitdir: string,
  signal?: AbortSignal,
): Promise<FetchResult> {
  const remote = gitContext(remoteGitdir, remoteGitdir, true);
  const heads: { branch: string; oid: string }[] = [];
  for (const ref of await listRefNames(remoteGitdir, 'refs/heads')) {
    const oid = await readRef(remoteGitdir, ref);
    if (oid) heads.push({ branch: ref.slice('refs/heads/'.length), oid });
  }
  const copied = await copyBranches(remote, local, localDb, heads, signal);
  const updated = await updateRemoteRefs(local, remoteName, copied.fetched);
  return { updated, objects: copied.objects, refused: copied.refused };
}

export interface Head {
  readonly branch: string;
  readonly oid: string;
}

/**
 * Copies the objects of each branch from `source` (checked, see transport-local.ts), one branch
 * at a time, so a branch holding a bad object (or missing one) is refused alone.
 */
export async function copyBranches(
  source: GitContext,
  local: GitContext,
  localDb: ObjectDatabase,
  heads: readonly Head[],
  signal?: AbortSignal,
): Promise<{ objects: number; fetched: Head[]; refused: FetchResult['refused'] }> {
  let objects = 0;
  const refused: FetchResult['refused'] = [];
  const fetched: Head[] = [];
  for (const head of heads) {
    try {
      const copied = await copyObjects(
        source,
        { gitdir: local.gitdir, db: localDb, ctx: local },
        [head.oid],
        signal,
      );
      objects += copied.objects;
      fetched.push(head);
    } catch (e) {
      const isMissing = !isFerryError(e) && /not found|Could not find/i.test(String(e));
      if (!isFerryError(e, 'bad-object') && !isMissing) throw e;
      refused.push({
        ref: `refs/heads/${head.branch}`,
        reason: isMissing ? 'an object it needs was not sent' : (e as Error).message,
      });
    }
  }
  return { objects, fetched, refused };
}

/** Moves refs/remotes/<remote>/<branch> to the fetched values; returns what changed. */
export async function updateRemoteRefs(
  local: GitContext,
  remoteName: string,
  fetched: readonly Head[],
): Promise<FetchResult['updated']> {
  const updated: FetchResult['updated'] = [];
  for (const { branch, oid } of fetched) {
    const ref = `refs/remotes/${remoteName}/${branch}`;
    const from = await readRef(local.gitdir, ref);
    if (from === oid) continue;
    await compareAndSetRef(local.gitdir, ref, oid, null);
    updated.push({ ref, from, to: oid });
  }
  return updated;
}
