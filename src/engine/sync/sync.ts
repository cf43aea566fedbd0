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
import { AnnexBranch } from '../annex/branch';
import type { Repository } from '../annex/repository';
import { addCommit } from '../git/commit';
import { ObjectDatabase } from '../git/object-db';
import { ObjectBatch } from '../git/object-writer';
import type { PushOutcome, RefUpdate } from '../git/push-local';
import {
  commitTree,
  currentBranch,
  findMergeBase,
  getConfig,
  isAncestor,
  listRefs,
  resolveRef,
  setConfig,
} from '../git/read';
import { compareAndSetRef } from '../git/ref-store';
import { listGitRemotes, type RemoteInfo } from '../remotes/git-remotes';
import { openGitTransport } from '../remotes/registry';
import type { GitTransport } from '../remotes/remote';
import type { SyncEvent, SyncEventListener } from '../../shared/events';
import { TreeMerger } from './tree-merge';
import { updateWorkTree } from './worktree-update';
import { errorMessage } from '../../shared/errors';

export { withRepositoryLock };

export interface SyncOptions {
  readonly events?: SyncEventListener;
  readonly signal?: AbortSignal;
  /** commit new files too, as the assistant does (default: tracked files only, as git annex sync) */
  readonly includeUntracked?: boolean;
  /** limit to these remotes */
  readonly remotes?: readonly string[];
  readonly commit?: boolean;
}

export interface RemoteSyncResult {
  readonly remote: string;
  readonly pulled: boolean;
  readonly pushed: 'ok' | 'tagged' | 'failed' | 'skipped';
  readonly reason?: string;
}

export interface RefProblem {
  readonly remote: string | null;
  readonly ref: string;
  readonly step: 'fetch' | 'merge';
  readonly reason: string;
}

export interface SyncReport {
  readonly committed: string | undefined;
  readonly merged: string[];
  readonly remotes: RemoteSyncResult[];
  /** refs that could not be fetched or merged; the rest synced */
  readonly refused: RefProblem[];
}

interface Context {
  /** called after the current branch moved from one tree to another by a merge */
  onTreeChanged?: (oldTree: string | undefined, newTree: string) => void;
  readonly repo: Repository;
  readonly branch: AnnexBranch;
  readonly db: ObjectDatabase;
  readonly emit: (e: DistributiveOmit<SyncEvent, 'repo' | 'at'>) => void;
  readonly signal: AbortSignal | undefined;
  /** what failed of one ref alone during this sync */
  readonly refused: RefProblem[];
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function makeContext(repo: Repository, options: SyncOptions): Context {
  return {
    repo,
    branch: new AnnexBranch(repo),
    db: new ObjectDatabase(repo.gitdir),
    signal: options.signal,
    emit: (e) => options.events?.({ ...e, repo: repo.top, at: Date.now() }),
    refused: [],
  };
}

async function isTrue(repo: Repository, key: string, fallback: boolean): Promise<boolean> {
  const v = await getConfig(repo.git, key);
  return v === undefined ? fallback : /^(true|yes|on|1)$/i.test(v);
}

/** The remotes sync talks to: git remotes with annex-sync not false, cheapest first. */
export async function syncRemotes(
  repo: Repository,
  only?: readonly string[],
): Promise<RemoteInfo[]> {
  const out: RemoteInfo[] = [];
  for (const r of await listGitRemotes(repo)) {
    if (only && !only.includes(r.name)) continue;
    if (!(await isTrue(repo, `remote.${r.name}.annex-sync`, true))) continue;
    out.push(r);
  }
  return out;
}

/** Merges `ref` into the current branch (fast-forward when possible), updating the work tree. */
export async function mergeRef(ctx: Context, ref: string): Promise<boolean> {
  const { repo } = ctx;
  const branchName = (await currentBranch(repo.git)) ?? 'master';
  const branchRef = `refs/heads/${branchName}`;
  const theirs = await resolveRef(repo.git, ref);
  const head = await resolveRef(repo.git, branchRef);
  if (!theirs || theirs === head) return false;
  if (head && (await isAncestor(repo.git, theirs, head))) return false;
  const headTree = head ? await commitTree(repo.git, head) : undefined;
  const theirTree = await commitTree(repo.git, theirs);
  if (!head || (await isAncestor(repo.git, head, theirs))) {
    const update = await updateWorkTree(repo, headTree, theirTree);
    await compareAndSetRef(repo.gitdir, branchRef, theirs, head);
    ctx.onTreeChanged?.(headTree, theirTree);
    ctx.emit({ type: 'merged', ref, commit: theirs, isFastForward: true });
    if (update.keptLocal.length > 0)
      ctx.emit({ type: 'local-changes-kept', paths: update.keptLocal });
    return true;
  }
  const base = await findMergeBase(repo.git, head, theirs);
  const baseTree = base ? await commitTree(repo.git, base) : undefined;
  const batch = new ObjectBatch(repo.gitdir);
  const merger = new TreeMerger(repo.git, batch);
  const tree =
    (await merger.merge(baseTree, headTree, theirTree)) ?? batch.add('tree', Buffer.alloc(0));
  const short = ref.replace(/^refs\/(heads\/|remotes\/)?/, '');
  const message =
    merger.conflicts.length > 0
      ? 'git-annex automatic merge conflict fix'
      : `Merge ${short} into ${branchName}`;
  const commit = await addCommit(repo.git, batch, tree, [head, theirs], message);
  await batch.flush();
  const update = await updateWorkTree(repo, headTree, tree);
  await compareAndSetRef(repo.gitdir, branchRef, commit, head);
  ctx.onTreeChanged?.(headTree, tree);
  ctx.emit({ type: 'merged', ref, commit, isFastForward: false });
  for (const c of merger.conflicts)
    ctx.emit({ type: 'conflict-resolved', path: c.path, kind: c.kind, kept: c.kept });
  if (update.keptLocal.length > 0)
    ctx.emit({ type: 'local-changes-kept', paths: update.keptLocal });
  return true;
}

/** Merges what others pushed into this repository: synced/<b> and tagged refs/synced/<uuid>/<b>. */
export async function mergeIncoming(ctx: Context): Promise<string[]> {
  const branchName = (await currentBranch(ctx.repo.git)) ?? 'master';
  const refs = [`refs/heads/synced/${branchName}`];
  for (const ref of await listRefs(ctx.repo.git, 'refs/synced').catch(() => [])) {
    if (ref.endsWith(`/${branchName}`)) refs.push(ref);
  }
  const merged: string[] = [];
  for (const ref of refs) if (await mergeIsolated(ctx, ref, null)) merged.push(ref);
  return merged;
}

/** Union-merges every git-annex ref; one that cannot be merged is reported and skipped. */
export async function updateAnnexBranch(ctx: Context): Promise<string[]> {
  const merged = await ctx.branch.update();
  if (merged.length > 0) ctx.emit({ type: 'annex-branch-merged', refs: merged });
  for (const r of ctx.branch.refused) {
    if (!ctx.refused.some((x) => x.ref === r.ref && x.step === 'merge'))
      refuse(ctx, { remote: null, ref: r.ref, step: 'merge', reason: r.reason });
  }
  return merged;
}

function refuse(ctx: Context, problem: RefProblem): void {
  ctx.refused.push(problem);
  ctx.emit({ type: 'ref-refused', ...problem });
}

/**
 * Merges one ref; a bad object on it (a refused tree name, a corrupt commit) fails that ref
 * alone, reported with the remote and ref, and the sync goes on with the others.
 */
async function mergeIsolated(ctx: Context, ref: string, remote: string | null): Promise<boolean> {
  try {
    return await mergeRef(ctx, ref);
  } catch (e) {
    if (ctx.signal?.aborted) throw e;
    const reason = errorMessage(e);
    const known = ctx.refused.find((r) => r.ref === ref && r.step === 'merge');
    if (!known) refuse(ctx, { remote, ref, step: 'merge', reason });
    return false;
  }
}

/** Fetches a remote and merges its branch and synced branch. */
export async function pullRemote(ctx: Context, remote: RemoteInfo): Promise<string[]> {
  const { repo } = ctx;
  const transport = openGitTransport(remote);
  const fetched = await transport.fetch(repo.git, ctx.db, ctx.signal);
  if (fetched.updated.length > 0)
    ctx.emit({ type: 'fetched', remote: remote.name, refs: fetched.updated.map((u) => u.ref) });
  for (const r of fetched.refused) {
    if (!ctx.refused.some((x) => x.ref === r.ref && x.remote === remote.name))
      refuse(ctx, { remote: remote.name, ref: r.ref, step: 'fetch', reason: r.reason });
  }
  if (!remote.uuid) {
    const uuid = await transport.annexUuid();
    if (uuid) await setConfig(repo.git, `remote.${remote.name}.annex-uuid`, uuid);
  }
  const branchName = (await currentBranch(repo.git)) ?? 'master';
  const merged: string[] = [];
  for (const ref of [
    `refs/remotes/${remote.name}/${branchName}`,
    `refs/remotes/${remote.name}/synced/${branchName}`,
  ]) {
    if (await mergeIsolated(ctx, ref, remote.name)) merged.push(ref);
  }
  return merged;
}

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
  if (head && transport.isBare)
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

/** Pushes to one remote; on rejection pulls, merges and retries, then falls back to a tagged push. */
export async function pushRemote(ctx: Context, remote: RemoteInfo): Promise<RemoteSyncResult> {
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
  let outcomes = await pushOnce(ctx, transport);
  let reason = failure(outcomes);
  if (!reason) {
    if (refsOf(outcomes).length > 0)
      ctx.emit({ type: 'pushed', remote: remote.name, refs: refsOf(outcomes), tagged: false });
    return { remote: remote.name, pulled: false, pushed: 'ok' };
  }
  // Someone pushed first: pull, merge and push again.
  await pullRemote(ctx, remote);
  await ctx.branch.update();
  await updateSyncedBranch(ctx);
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

async function updateSyncedBranch(ctx: Context): Promise<void> {
  const branchName = (await currentBranch(ctx.repo.git)) ?? 'master';
  const head = await resolveRef(ctx.repo.git, `refs/heads/${branchName}`);
  if (head) await compareAndSetRef(ctx.repo.gitdir, `refs/heads/synced/${branchName}`, head, null);
}

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
    });
  }
  return { commit: result.commit, annexed: result.annexed };
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
    const remotes = (await syncRemotes(repo, options.remotes)).filter((r) => r.path !== undefined);
    const results = new Map<string, RemoteSyncResult>();
    for (const remote of remotes) {
      if (!remote.isAvailable) {
        results.set(remote.name, {
          remote: remote.name,
          pulled: false,
          pushed: 'failed',
          reason: `${remote.path ?? remote.url} is not reachable`,
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
    const pushes = await Promise.all(
      remotes
        .filter((r) => !results.has(r.name))
        .map(async (r) => {
          try {
            return await pushRemote(ctx, r);
          } catch (e) {
            return {
              remote: r.name,
              pulled: false,
              pushed: 'failed' as const,
              reason: errorMessage(e),
            };
          }
        }),
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
