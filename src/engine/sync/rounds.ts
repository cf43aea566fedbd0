/**
 * The assistant's git rounds, each under the repository lock: merging what others pushed in,
 * pulling from remotes, pushing to them. They return what happened; the assistant decides what
 * runs next (assistant.ts).
 */
import { resolveRef } from '../git/read';
import type { RemoteInfo } from '../remotes/git-remotes';
import { errorMessage } from '../../shared/errors';
import { traced } from '../trace';
import type { RemoteSyncResult } from './context';
import {
  mergeIncoming,
  pullRemote,
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
export function pullRound(
  ctx: SyncContext,
  remotes: readonly RemoteInfo[],
  log: (message: string) => void,
): Promise<void> {
  return withRepositoryLock(ctx.repo, async () => {
    await mergeIncoming(ctx);
    for (const r of remotes) {
      if (!r.isAvailable) continue;
      try {
        await pullRemote(ctx, r);
      } catch (e) {
        log(`pulling from ${r.name} failed: ${errorMessage(e)}`);
      }
    }
    await updateAnnexBranch(ctx);
  });
}

/** What a push round sent: HEAD and the git-annex tip, to tell later whether there is more. */
export async function pushState(ctx: SyncContext): Promise<string> {
  const head = (await resolveRef(ctx.repo.git, 'HEAD')) ?? '';
  return `${head} ${(await ctx.branch.tip()) ?? ''}`;
}

/** Commits the journal and pushes to every remote of `remotes` in parallel. */
export function pushRound(
  ctx: SyncContext,
  remotes: readonly RemoteInfo[],
): Promise<{ results: RemoteSyncResult[]; state: string }> {
  return withRepositoryLock(ctx.repo, async () => {
    await traced('annex-commit', () => ctx.branch.commit());
    const results = await pushToAll(ctx, remotes);
    return { results, state: await pushState(ctx) };
  });
}
