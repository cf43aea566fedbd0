/**
 * The assistant's git rounds: merging what others pushed in, pulling from remotes, pushing to
 * them. What changes the repository (merges, the git-annex commit) runs under the repository
 * lock; the network waits (fetches, pushes) do not, so a commit never waits on a slow or dead
 * link. They return what happened; the assistant decides what runs next (assistant.ts).
 */
import { resolveRef } from '../git/read';
import type { RemoteInfo } from '../remotes/git-remotes';
import { errorMessage } from '../../shared/errors';
import { traced } from '../trace';
import type { RemoteSyncResult } from './context';
import { fetchRemote, mergeFetched } from './pull';
import {
  mergeIncoming,
  pushToAll,
  updateAnnexBranch,
  withRepositoryLock,
  type SyncContext,
} from './sync';

/** Merges refs pushed in by others and union-merges git-annex; returns how many refs merged. */
export function mergeRound(ctx: SyncContext): Promise<number> {
  return withRepositoryLock(ctx.repo, async () => {
    const refs = await mergeIncoming(ctx);
    const annex = await updateAnnexBranch(ctx);
    return refs.length + annex.length;
  });
}

/** Pulls from each reachable remote of `remotes` (a failure is logged, the others go on), then merges. */
export async function pullRound(
  ctx: SyncContext,
  remotes: readonly RemoteInfo[],
  log: (message: string) => void,
): Promise<void> {
  const locked = <T>(fn: () => Promise<T>): Promise<T> => withRepositoryLock(ctx.repo, fn);
  await locked(() => mergeIncoming(ctx));
  for (const r of remotes) {
    if (!r.isAvailable) continue;
    try {
      await fetchRemote(ctx, r);
      await locked(() => mergeFetched(ctx, r));
    } catch (e) {
      log(`pulling from ${r.name} failed: ${errorMessage(e)}`);
    }
  }
  await locked(() => updateAnnexBranch(ctx));
}

/** What a push round sent: HEAD and the git-annex tip, to tell later whether there is more. */
export async function pushState(ctx: SyncContext): Promise<string> {
  const head = (await resolveRef(ctx.repo.git, 'HEAD')) ?? '';
  return `${head} ${(await ctx.branch.tip()) ?? ''}`;
}

/**
 * Commits the journal and pushes to every remote of `remotes` in parallel; `state` is what was
 * there to push when it began (a commit made meanwhile is pushed by the next round).
 */
export async function pushRound(
  ctx: SyncContext,
  remotes: readonly RemoteInfo[],
): Promise<{ results: RemoteSyncResult[]; state: string }> {
  const locked = <T>(fn: () => Promise<T>): Promise<T> => withRepositoryLock(ctx.repo, fn);
  const state = await locked(async () => {
    await traced('annex-commit', () => ctx.branch.commit());
    return pushState(ctx);
  });
  const results = await pushToAll(ctx, remotes, locked);
  return { results, state };
}
