/**
 * Applies path edits to a tree, reading only the subtrees the edits touch and writing the new
 * trees into an ObjectBatch. Used for commits to the work branch and to the git-annex branch.
 */
import type { GitContext } from './context';
import { serializeTree, type ObjectBatch, type TreeEntry } from './object-writer';
import { readTree } from './read';

export interface BlobEdit {
  readonly oid: string;
  readonly mode: '100644' | '100755' | '120000';
}

/** path → new blob, or null to delete the path. */
export type TreeEdits = ReadonlyMap<string, BlobEdit | null>;

interface Node {
  files: Map<string, BlobEdit | null>;
  dirs: Map<string, Node>;
}

function buildNode(edits: TreeEdits): Node {
  const root: Node = { files: new Map(), dirs: new Map() };
  for (const [path, edit] of edits) {
    const parts = path.split('/');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      let next = node.dirs.get(part);
      if (!next) {
        next = { files: new Map(), dirs: new Map() };
        node.dirs.set(part, next);
      }
      node = next;
    }
    node.files.set(parts[parts.length - 1] ?? '', edit);
  }
  return root;
}

async function applyNode(
  ctx: GitContext,
  batch: ObjectBatch,
  baseOid: string | undefined,
  node: Node,
): Promise<string | undefined> {
  const entries = new Map<string, TreeEntry>();
  if (baseOid) for (const e of await readTree(ctx, baseOid)) entries.set(e.path, e);
  for (const [name, edit] of node.files) {
    if (edit === null) entries.delete(name);
    else entries.set(name, { mode: edit.mode, path: name, oid: edit.oid, type: 'blob' });
  }
  for (const [name, child] of node.dirs) {
    const existing = entries.get(name);
    // A file in the way of a directory is replaced by the directory.
    const base = existing && existing.type === 'tree' ? existing.oid : undefined;
    const oid = await applyNode(ctx, batch, base, child);
    if (oid === undefined) entries.delete(name);
    else entries.set(name, { mode: '040000', path: name, oid, type: 'tree' });
  }
  if (entries.size === 0) return undefined;
  return batch.add('tree', serializeTree([...entries.values()]));
}

export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/** The new root tree after the edits (the empty tree when nothing is left). */
export async function editTree(
  ctx: GitContext,
  batch: ObjectBatch,
  baseTree: string | undefined,
  edits: TreeEdits,
): Promise<string> {
  const oid = await applyNode(ctx, batch, baseTree, buildNode(edits));
  return oid ?? batch.add('tree', Buffer.alloc(0));
}
