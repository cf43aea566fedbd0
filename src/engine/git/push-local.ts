/**
 * `git push <remote> src:dst ...` for a local-path remote. Objects are copied first; then each
 * ref is compare-and-set under its lock. A non-forced update that is not a fast-forward is
 * rejected, as git rejects it.
 */
import { isFerryError } from '../errors';
import type { GitContext } from './context';
import { isAncestor } from './read';
import { ObjectDatabase } from './object-db';
import { compareAndSetRef, readRef } from './ref-store';
import { copyObjects } from './transport-local';
import { errorMessage } from '../../shared/errors';

export interface RefUpdate {
  readonly src: string;
  readonly dst: string;
  readonly force: boolean;
}

export type PushStatus = 'ok' | 'up-to-date' | 'rejected' | 'error';

export interface PushOutcome {
  readonly dst: string;
  readonly status: PushStatus;
  readonly reason?: string;
}

/**
 * Whether `to` builds on `from`: read with the repository's own object reader (a diverged
 * git-annex branch was walked to its first commit through isomorphic-git on every push, seconds
 * of each push in a busy network).
 */
async function isFastForward(local: GitContext, from: string, to: string): Promise<boolean> {
  try {
    return await isAncestor(local, from, to);
  } catch {
    return false; // `from` is unknown here: not something we build on
  }
}

export async function pushLocal(
  local: GitContext,
  remoteGitdir: string,
  updates: readonly RefUpdate[],
  signal?: AbortSignal,
): Promise<PushOutcome[]> {
  const db = new ObjectDatabase(remoteGitdir);
  // One tip at a time: a tip holding a bad object is refused alone and the others are pushed.
  const refused = new Map<string, string>();
  for (const src of new Set(updates.map((u) => u.src))) {
    try {
      await copyObjects(local, { gitdir: remoteGitdir, db, untrusted: true }, [src], signal);
    } catch (e) {
      if (!isFerryError(e, 'bad-object')) throw e;
      refused.set(src, e.message);
    }
  }
  const out: PushOutcome[] = [];
  for (const u of updates) {
    const bad = refused.get(u.src);
    if (bad !== undefined) {
      out.push({ dst: u.dst, status: 'error', reason: bad });
      continue;
    }
    try {
      const current = await readRef(remoteGitdir, u.dst);
      if (current === u.src) {
        out.push({ dst: u.dst, status: 'up-to-date' });
        continue;
      }
      if (!u.force && current !== undefined && !(await isFastForward(local, current, u.src))) {
        out.push({ dst: u.dst, status: 'rejected', reason: 'non-fast-forward' });
        continue;
      }
      const ok = await compareAndSetRef(remoteGitdir, u.dst, u.src, current);
      out.push(
        ok
          ? { dst: u.dst, status: 'ok' }
          : { dst: u.dst, status: 'rejected', reason: 'the ref moved during the push' },
      );
    } catch (e) {
      out.push({ dst: u.dst, status: 'error', reason: errorMessage(e) });
    }
  }
  return out;
}
