/**
 * Pushing to one remote as `git annex sync` does: `<b>:synced/<b>`, `+git-annex:synced/git-annex`,
 * then `git-annex` and, for a bare remote, `<b>`; on a rejection pull, merge and push again, then
 * the conflict-free tagged push (`refs/synced/<uuid>/...`).
 */
import { traced } from '../trace';
import type { PushOutcome, RefUpdate } from '../git/push-local';
import { currentBranch, resolveRef } from '../git/read';
import { type RemoteInfo } from '../remotes/git-remotes';
import { openGitTransport } from '../remotes/registry';
import type { GitTransport } from '../remotes/remote';
import { errorMessage } from '../../shared/errors';

import { isTrue, type Context, type RemoteSyncResult } from './context';
import { fetchRemote, mergeFetched, updateAnnexBranch, updateSyncedBranch } from './pull';

/**
 * Runs what changes this repository (a merge) under the repository lock; the caller of a push
 * that already holds the lock passes `unlocked`.
 */
export type Locked = <T>(fn: () => Promise<T>) => Promise<T>;
export const unlocked: Locked = (fn) => fn();

async function pushOnce(ctx: Context, transport: GitTransport): Promise<PushOutcome[]> {
  const { repo } = ctx;
  const branchName = (await currentBranch(repo.git)) ?? 'master';
  const head = await resolveRef(repo.git, `refs/heads/${branchName}`);
  const annex = await ctx.branch.tip();
  const updates: RefUpdate[] = [];
  if (head) updates.push({ src: head, dst: `refs/heads/synced/${branchName}`, force: false });
  if (annex) updates.push({ src: annex, dst: 'refs/heads/synced/git-annex', force: true });
  const main = await transport.push(repo.git, updates, ctx.signal);
  if (main.some((o) => o.status === 'rejected' || o.status === 'error')) return main;
  const extra: RefUpdate[] = [];
  if (annex) extra.push({ src: annex, dst: 'refs/heads/git-annex', force: false });
  if (head && transport.takesBranch)
    extra.push({ src: head, dst: `refs/heads/${branchName}`, force: false });
  // Failures here are expected (the remote's own git-annex moved on) and ignored, as git annex sync does.
  if (extra.length > 0) await transport.push(repo.git, extra, ctx.signal);
  return main;
}

async function taggedPush(ctx: Context, transport: GitTransport): Promise<PushOutcome[]> {
  const { repo } = ctx;
  const branchName = (await currentBranch(repo.git)) ?? 'master';
  const head = await resolveRef(repo.git, `refs/heads/${branchName}`);
  const annex = await ctx.branch.tip();
  const updates: RefUpdate[] = [];
  if (annex) updates.push({ src: annex, dst: `refs/synced/${repo.uuid}/git-annex`, force: true });
  if (head) updates.push({ src: head, dst: `refs/synced/${repo.uuid}/${branchName}`, force: true });
  return transport.push(repo.git, updates, ctx.signal);
}

function failure(outcomes: readonly PushOutcome[]): string | undefined {
  const bad = outcomes.find((o) => o.status === 'rejected' || o.status === 'error');
  return bad ? `${bad.dst}: ${bad.reason ?? bad.status}` : undefined;
}

/**
 * Pushes to one remote; on rejection pulls, merges and retries, then falls back to a tagged push.
 * The network waits run outside `locked`; the merge runs inside it.
 */
export async function pushRemote(
  ctx: Context,
  remote: RemoteInfo,
  locked: Locked = unlocked,
): Promise<RemoteSyncResult> {
  const { repo } = ctx;
  if (
    !(await isTrue(repo, `remote.${remote.name}.annex-push`, true)) ||
    (await isTrue(repo, `remote.${remote.name}.annex-readonly`, false))
  ) {
    return { remote: remote.name, pulled: false, pushed: 'skipped' };
  }
  let transport: GitTransport;
  try {
    transport = openGitTransport(remote);
  } catch (e) {
    const reason = errorMessage(e);
    return { remote: remote.name, pulled: false, pushed: 'failed', reason };
  }
  const refsOf = (o: readonly PushOutcome[]): string[] =>
    o.filter((x) => x.status === 'ok').map((x) => x.dst);
  let outcomes = await traced('push-remote', () => pushOnce(ctx, transport), remote.name);
  let reason = failure(outcomes);
  if (!reason) {
    if (refsOf(outcomes).length > 0)
      ctx.emit({ type: 'pushed', remote: remote.name, refs: refsOf(outcomes), tagged: false });
    return { remote: remote.name, pulled: false, pushed: 'ok' };
  }
  // Someone pushed first: pull, merge and push again.
  await fetchRemote(ctx, remote);
  await locked(async () => {
    await mergeFetched(ctx, remote);
    // through updateAnnexBranch, so new location logs are announced (waiting downloads look again)
    await updateAnnexBranch(ctx);
    await updateSyncedBranch(ctx);
  });
  outcomes = await pushOnce(ctx, transport);
  reason = failure(outcomes);
  if (!reason) {
    ctx.emit({ type: 'pushed', remote: remote.name, refs: refsOf(outcomes), tagged: false });
    return { remote: remote.name, pulled: true, pushed: 'ok' };
  }
  const tagged = await taggedPush(ctx, transport);
  const taggedReason = failure(tagged);
  if (!taggedReason) {
    ctx.emit({ type: 'pushed', remote: remote.name, refs: refsOf(tagged), tagged: true });
    return { remote: remote.name, pulled: true, pushed: 'tagged', reason };
  }
  return { remote: remote.name, pulled: true, pushed: 'failed', reason: taggedReason };
}

/**
 * Pushes to every remote in parallel; an unreachable one, or one whose push threw, is a failed
 * result with its reason, never a thrown error that stops the others.
 */
export async function pushToAll(
  ctx: Context,
  remotes: readonly RemoteInfo[],
  locked: Locked = unlocked,
): Promise<RemoteSyncResult[]> {
  return Promise.all(
    remotes.map(async (r): Promise<RemoteSyncResult> => {
      if (!r.isAvailable)
        return {
          remote: r.name,
          pulled: false,
          pushed: 'failed',
          reason: `${r.path ?? r.url} is not reachable`,
        };
      try {
        return await pushRemote(ctx, r, locked);
      } catch (e) {
        return { remote: r.name, pulled: false, pushed: 'failed', reason: errorMessage(e) };
      }
    }),
  );
}
