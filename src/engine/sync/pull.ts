/** Pulling: merging what others pushed in and what each remote has, one ref failing alone. */
import { adoptBranch } from './adopt-branch';
import { addCommit } from '../git/commit';
import { ObjectBatch, type TreeEntry } from '../git/object-writer';
import { editTree, type BlobEdit } from '../git/tree-edit';
import { parseUuidLog } from '../annex/logs';
import {
  commitTree,
  currentBranch,
  findMergeBase,
  isAncestor,
  listRefs,
  readCommitInfo,
  resolveRef,
  setConfig,
} from '../git/read';
import { setOwnRef } from '../git/own-refs';
import { type RemoteInfo } from '../remotes/git-remotes';
import { openGitTransport } from '../remotes/registry';
import { TreeMerger } from './tree-merge';
import { updateWorkTree } from './worktree-update';
import { errorMessage } from '../../shared/errors';
import { traced } from '../trace';

import type { Context, RefProblem } from './context';

/** Where a ref came from, in words: its remote, the repository that pushed it, or a clone. */
async function refOrigin(ctx: Context, ref: string, commit: string): Promise<string> {
  const remote = /^refs\/remotes\/([^/]+)\//.exec(ref);
  if (remote?.[1]) return remote[1];
  const tagged = /^refs\/synced\/([0-9a-f-]{36})\//.exec(ref);
  if (tagged?.[1]) {
    const names = parseUuidLog(await ctx.branch.read('uuid.log').catch(() => ''));
    return names.get(tagged[1])?.value || tagged[1];
  }
  // pushed in: commits are made "git-annex in <description>" by Ferry and git-annex
  const { message } = await readCommitInfo(ctx.repo.git, commit).catch(() => ({ message: '' }));
  const made = /^git-annex in (.{1,200})\n/.exec(message)?.[1];
  return made ? made.trim() : 'a clone that synced here';
}

/**
 * Merges `ref` into the current branch (fast-forward when possible), updating the work tree.
 * With a deletion guard, a change that would delete many files is held instead (false), or
 * merged keeping them once the user said so.
 */
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
  const isFastForward = !head || (await isAncestor(repo.git, head, theirs));
  const batch = new ObjectBatch(repo.gitdir);
  const merger = new TreeMerger(repo.git, batch);
  let tree = theirTree;
  if (!isFastForward) {
    const base = await findMergeBase(repo.git, head, theirs);
    const baseTree = base ? await commitTree(repo.git, base) : undefined;
    tree =
      (await merger.merge(baseTree, headTree, theirTree)) ?? batch.add('tree', Buffer.alloc(0));
    await batch.flush(); // the guard reads the merged tree
  }
  const from = ctx.guard ? await refOrigin(ctx, ref, theirs) : '';
  const verdict = ctx.guard
    ? await ctx.guard.check({ ref, from, commit: theirs, headTree, resultTree: tree })
    : ({ action: 'merge' } as const);
  if (verdict.action === 'hold') {
    const { held } = verdict;
    if (verdict.isNew)
      ctx.emit({
        type: 'deletions-held',
        id: held.id,
        from,
        deleted: held.deleted,
        total: held.total,
      });
    return false;
  }
  let commit = theirs;
  if (verdict.action === 'keep' || !isFastForward) {
    if (verdict.action === 'keep') {
      const edits = new Map<string, BlobEdit>();
      for (const c of verdict.restore) if (c.before) edits.set(c.path, blobEdit(c.before));
      tree = await editTree(repo.git, batch, tree, edits);
    }
    const short = ref.replace(/^refs\/(heads\/|remotes\/)?/, '');
    const message =
      verdict.action === 'keep'
        ? `Merge ${short} into ${branchName}, keeping the ${verdict.restore.length} files it deleted`
        : merger.conflicts.length > 0
          ? 'git-annex automatic merge conflict fix'
          : `Merge ${short} into ${branchName}`;
    commit = await addCommit(repo.git, batch, tree, head ? [head, theirs] : [theirs], message);
    await batch.flush();
  }
  const update = await traced('worktree', () => updateWorkTree(repo, headTree, tree));
  await setOwnRef(repo.gitdir, branchRef, commit, head);
  await ctx.guard?.merged(ref, theirs);
  ctx.onTreeChanged?.(headTree, tree);
  ctx.emit({
    type: 'merged',
    ref,
    commit,
    before: head ?? null,
    isFastForward: commit === theirs,
    changed: update.changed,
    sample: update.sample,
  });
  if (verdict.action === 'keep')
    ctx.emit({ type: 'deletions-kept', from, kept: verdict.restore.length });
  for (const c of merger.conflicts)
    ctx.emit({ type: 'conflict-resolved', path: c.path, kind: c.kind, kept: c.kept });
  if (update.keptLocal.length > 0)
    ctx.emit({ type: 'local-changes-kept', paths: update.keptLocal });
  return true;
}

function blobEdit(entry: TreeEntry): BlobEdit {
  const mode = entry.mode === '100755' || entry.mode === '120000' ? entry.mode : '100644';
  return { oid: entry.oid, mode };
}

/** Merges what others pushed into this repository: synced/<b> and tagged refs/synced/<uuid>/<b>. */
export async function mergeIncoming(ctx: Context): Promise<string[]> {
  // no commit yet: take the branch the others use, and what was fetched of it
  const adopted = await adoptBranch(ctx.repo);
  const branchName = (await currentBranch(ctx.repo.git)) ?? 'master';
  const refs = [`refs/heads/synced/${branchName}`];
  if (adopted)
    for (const ref of await listRefs(ctx.repo.git, 'refs/remotes').catch(() => []))
      if (ref.split('/').length === 4 && ref.endsWith(`/${adopted}`)) refs.push(ref);
  for (const ref of await listRefs(ctx.repo.git, 'refs/synced').catch(() => [])) {
    if (ref.endsWith(`/${branchName}`)) refs.push(ref);
  }
  const merged: string[] = [];
  for (const ref of refs) if (await mergeIsolated(ctx, ref, null)) merged.push(ref);
  return merged;
}

/** Union-merges every git-annex ref; one that cannot be merged is reported and skipped. */
export async function updateAnnexBranch(ctx: Context): Promise<string[]> {
  const merged = await traced('annex-merge', () => ctx.branch.update());
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
  await fetchRemote(ctx, remote);
  return mergeFetched(ctx, remote);
}

/**
 * Fetches a remote: objects and its refs under refs/remotes/<name>/, nothing a commit or merge
 * here touches (so it needs no repository lock while it waits on the network).
 */
export async function fetchRemote(ctx: Context, remote: RemoteInfo): Promise<void> {
  const { repo } = ctx;
  const transport = openGitTransport(remote);
  const fetched = await traced(
    'fetch',
    () => transport.fetch(repo.git, ctx.db, ctx.signal),
    remote.name,
  );
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
}

/** Merges what was fetched from a remote (its branch and synced branch) into this one. */
export async function mergeFetched(ctx: Context, remote: RemoteInfo): Promise<string[]> {
  const { repo } = ctx;
  await adoptBranch(repo); // no commit here yet: the branch just fetched becomes ours
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

export async function updateSyncedBranch(ctx: Context): Promise<void> {
  const branchName = (await currentBranch(ctx.repo.git)) ?? 'master';
  const head = await resolveRef(ctx.repo.git, `refs/heads/${branchName}`);
  if (head) await setOwnRef(ctx.repo.gitdir, `refs/heads/synced/${branchName}`, head, null);
}
