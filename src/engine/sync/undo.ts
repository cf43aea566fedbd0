/**
 * Undoing a sync batch from the history: what merging took the branch from `before` to `after`
 * is reverted on top of the branch as it is now (a three-way merge of `after` -> `before` into
 * HEAD, so later changes stay), committed, and the work tree brought along. Files it brings back
 * are annexed pointers like any other: their content comes from wherever it still is (the store
 * here keeps it after a deletion; else the transfers fetch it).
 */
import { addCommit } from '../git/commit';
import { ObjectBatch } from '../git/object-writer';
import { setOwnRef } from '../git/own-refs';
import { commitTree, currentBranch, isAncestor, resolveRef } from '../git/read';
import { FerryError } from '../errors';
import { TreeMerger } from './tree-merge';
import { diffTrees, updateWorkTree } from './worktree-update';
import type { Context } from './context';

/** Reverts `before`..`after` on the current branch; returns the commit (undefined: nothing to undo). */
export async function undoChanges(
  ctx: Context,
  before: string,
  after: string,
): Promise<{ commit: string | undefined; files: number }> {
  const { repo } = ctx;
  const branchName = (await currentBranch(repo.git)) ?? 'master';
  const branchRef = `refs/heads/${branchName}`;
  const head = await resolveRef(repo.git, branchRef);
  if (!head || (head !== after && !(await isAncestor(repo.git, after, head))))
    throw new FerryError('not-found', 'that change is not in this folder’s history any more');
  const headTree = await commitTree(repo.git, head);
  const batch = new ObjectBatch(repo.gitdir);
  const merger = new TreeMerger(repo.git, batch);
  const tree =
    (await merger.merge(
      await commitTree(repo.git, after),
      headTree,
      await commitTree(repo.git, before),
    )) ?? batch.add('tree', Buffer.alloc(0));
  await batch.flush();
  if (tree === headTree) return { commit: undefined, files: 0 };
  const files = (await diffTrees(repo, headTree, tree)).length;
  const message = `Undo the changes synced in ${after.slice(0, 8)} (back to ${before.slice(0, 8)})`;
  const commit = await addCommit(repo.git, batch, tree, [head], message);
  await batch.flush();
  await updateWorkTree(repo, headTree, tree);
  await setOwnRef(repo.gitdir, branchRef, commit, head);
  ctx.onTreeChanged?.(headTree, tree);
  ctx.emit({ type: 'sync-undone', commit, files });
  for (const c of merger.conflicts)
    ctx.emit({ type: 'conflict-resolved', path: c.path, kind: c.kind, kept: c.kept });
  return { commit, files };
}
