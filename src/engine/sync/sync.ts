/**
 * One sync, as `git annex sync` does it (without content): commit, merge what others pushed in,
 * fetch and merge every remote, union-merge the git-annex branch, then push to every remote in
 * parallel (`<b>:synced/<b>`, `+git-annex:synced/git-annex`, then `git-annex`, then `<b>` for
 * bare remotes). A push rejected as non-fast-forward fetches, merges and pushes again; if it still
 * fails, the conflict-free tagged push (`refs/synced/<uuid>/...`) is used.
 *
 * Every git operation on one repository goes through `withRepositoryLock`, so no two run at once
 * in this process.
 */
import { addPaths } from '../annex/add';
import { withRepositoryLock } from '../annex/repository-lock';
import type { Repository } from '../annex/repository';
import { errorMessage } from '../../shared/errors';

import {
  isTrue,
  makeContext,
  type Context,
  type RemoteSyncResult,
  type SyncOptions,
  type SyncReport,
  syncRemotes,
} from './context';
import { mergeIncoming, pullRemote, updateAnnexBranch, updateSyncedBranch } from './pull';
import { pushToAll } from './push';
import { availabilityOf, carriesGit } from '../remotes/registry';
import type { RemoteInfo } from '../remotes/git-remotes';

export { withRepositoryLock };
export { mergeIncoming, mergeRef, pullRemote, updateAnnexBranch } from './pull';
export { pushRemote, pushToAll } from './push';
export { syncRemotes } from './context';
export type { RefProblem, RemoteSyncResult, SyncOptions, SyncReport } from './context';

/** Commits work-tree changes (and the journal) as `git-annex in <description>`. */
export async function commitChanges(
  ctx: Context,
  includeUntracked: boolean,
  paths: readonly string[] = ['.'],
): Promise<{ commit: string | undefined; annexed: { path: string; key: string }[] }> {
  const result = await addPaths(
    ctx.repo,
    paths.map((p) => `${ctx.repo.top}/${p}`),
    {
      withDeletions: true,
      trackedOnly: !includeUntracked,
      mode: includeUntracked ? 'unlocked' : undefined,
    },
  );
  await ctx.branch.commit();
  if (result.commit) {
    ctx.emit({
      type: 'committed',
      commit: result.commit,
      files: result.annexed.length + result.toGit.length + result.removed.length,
      sample: [...result.annexed.map((a) => a.path), ...result.toGit, ...result.removed].slice(
        0,
        3,
      ),
    });
  }
  return { commit: result.commit, annexed: result.annexed };
}

function unreachableReason(remote: RemoteInfo): string {
  const a = availabilityOf(remote);
  return a.state === 'down' ? a.message : `${remote.path ?? remote.url} is not reachable`;
}

export async function syncRepository(
  repo: Repository,
  options: SyncOptions = {},
): Promise<SyncReport> {
  const ctx = makeContext(repo, options);
  return withRepositoryLock(repo, async () => {
    let committed: string | undefined;
    if (
      options.commit !== false &&
      (await isTrue(repo, 'annex.autocommit', true)) &&
      !repo.isBare
    ) {
      committed = (await commitChanges(ctx, options.includeUntracked === true)).commit;
    }
    const merged = await mergeIncoming(ctx);
    const remotes = (await syncRemotes(repo, options.remotes)).filter((r) => carriesGit(r));
    const results = new Map<string, RemoteSyncResult>();
    for (const remote of remotes) {
      if (!remote.isAvailable) {
        results.set(remote.name, {
          remote: remote.name,
          pulled: false,
          pushed: 'failed',
          reason: unreachableReason(remote),
        });
        continue;
      }
      if (!(await isTrue(repo, `remote.${remote.name}.annex-pull`, true))) continue;
      try {
        merged.push(...(await pullRemote(ctx, remote)));
      } catch (e) {
        results.set(remote.name, {
          remote: remote.name,
          pulled: false,
          pushed: 'failed',
          reason: errorMessage(e),
        });
      }
    }
    await updateAnnexBranch(ctx);
    await updateSyncedBranch(ctx);
    const pushes = await pushToAll(
      ctx,
      remotes.filter((r) => !results.has(r.name)),
    );
    for (const p of pushes) results.set(p.remote, p);
    for (const r of results.values()) {
      if (r.pushed === 'failed')
        ctx.emit({
          type: 'push-failed',
          remote: r.remote,
          reason: r.reason ?? 'unknown',
          retryAt: null,
        });
    }
    return { committed, merged, remotes: [...results.values()], refused: ctx.refused };
  });
}

export { makeContext as syncContext, type Context as SyncContext };
