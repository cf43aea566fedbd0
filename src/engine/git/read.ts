/** Reading objects (object-read.ts) and refs (through isomorphic-git, with the shared cache). */
import git from 'isomorphic-git';
import { FerryError } from '../errors';
import { cacheFor, type GitContext } from './context';
import { parseRawTree, treeEntriesProblem } from './fsck';
import { readRaw, type RawObject } from './object-read';
import { resolveRefIn } from './ref-read';
import { reaches } from './new-commits';
import type { ObjectType, TreeEntry } from './object-writer';

export async function readBlob(ctx: GitContext, oid: string): Promise<Uint8Array> {
  return (await readTyped(ctx, oid, 'blob')).content;
}

/** An object that must be of `type` (as isomorphic-git's readers refuse another). */
async function readTyped(ctx: GitContext, oid: string, type: ObjectType): Promise<RawObject> {
  const o = await readRaw(ctx, oid);
  if (o.type !== type)
    throw new FerryError('bad-object', `object ${oid} is a ${o.type}, not a ${type}`, { oid });
  return o;
}

const NEEDS_CODE_POINT_ORDER = /[\ud800-\uffff]/;

/** Names in code point order, as isomorphic-git lists a tree's entries. */
function byName(a: TreeEntry, b: TreeEntry): number {
  if (!NEEDS_CODE_POINT_ORDER.test(a.path) && !NEEDS_CODE_POINT_ORDER.test(b.path))
    return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
  return Buffer.compare(Buffer.from(a.path, 'utf8'), Buffer.from(b.path, 'utf8'));
}

const TREE_TYPES: Readonly<Record<string, TreeEntry['type']>> = {
  '040000': 'tree',
  '100644': 'blob',
  '100755': 'blob',
  '120000': 'blob',
  '160000': 'commit',
};

function parseTree(oid: string, raw: Buffer): TreeEntry[] {
  const parsed = parseRawTree(raw);
  if (typeof parsed === 'string')
    throw new FerryError('bad-object', `tree ${oid} is refused: it holds ${parsed}`, { oid });
  const entries = parsed.map((e) => {
    const mode = e.mode === '40000' ? '040000' : e.mode;
    const type = TREE_TYPES[mode];
    if (!type)
      throw new FerryError('bad-object', `tree ${oid} is refused: it holds mode ${mode}`, { oid });
    return { mode, path: e.name, oid: e.oid, type };
  });
  return entries.sort(byName);
}

export async function readTree(ctx: GitContext, oid: string): Promise<TreeEntry[]> {
  const known = ctx.trees.get(oid);
  if (known) return known;
  const entries = parseTree(oid, (await readTyped(ctx, oid, 'tree')).content);
  // Whatever way the tree arrived, nothing acts on a name git would refuse. isomorphic-git sorts
  // the entries it parsed, so their order was checked when the object arrived.
  const problem = treeEntriesProblem(
    entries.map((e) => ({ mode: e.mode.replace(/^0+/, ''), name: e.path, oid: e.oid })),
    { checkOrder: false },
  );
  if (problem) {
    throw new FerryError('bad-object', `tree ${oid} is refused: it holds ${problem}`, { oid });
  }
  if (ctx.trees.size > 20000) ctx.trees.clear();
  ctx.trees.set(oid, entries);
  return entries;
}

export async function commitTree(ctx: GitContext, oid: string): Promise<string> {
  return (await readCommitInfo(ctx, oid)).tree;
}

/** A commit's tree, parents and message, read as git reads them (tree first, then parents). */
export async function readCommitInfo(
  ctx: GitContext,
  oid: string,
): Promise<{ tree: string; parents: string[]; message: string }> {
  const text = (await readTyped(ctx, oid, 'commit')).content.toString('utf8');
  const split = text.indexOf('\n\n');
  const headers = (split < 0 ? text : text.slice(0, split)).split('\n');
  const tree = /^tree ([0-9a-f]{40})$/.exec(headers[0] ?? '')?.[1];
  if (!tree)
    throw new FerryError('bad-object', `commit ${oid} does not begin with its tree`, { oid });
  const parents: string[] = [];
  for (let i = 1; i < headers.length; i++) {
    const m = /^parent ([0-9a-f]{40})$/.exec(headers[i] ?? '');
    if (!m?.[1]) break;
    parents.push(m[1]);
  }
  const body = split < 0 ? '' : text.slice(split + 2);
  const message = `${body.replace(/\r/g, '').replace(/^\n+/, '').replace(/\n+$/, '')}\n`;
  return { tree, parents, message };
}

/** Looks paths up in one tree; each directory's entries are read once, into a map. */
export function treeLookup(
  ctx: GitContext,
  treeOid: string | undefined,
): (path: string) => Promise<TreeEntry | undefined> {
  const dirs = new Map<string, Promise<Map<string, TreeEntry>>>();
  const entriesOf = (oid: string): Promise<Map<string, TreeEntry>> => {
    let known = dirs.get(oid);
    if (!known) {
      known = readTree(ctx, oid).then((entries) => new Map(entries.map((e) => [e.path, e])));
      dirs.set(oid, known);
    }
    return known;
  };
  return async (path) => {
    if (!treeOid) return undefined;
    let current = treeOid;
    const parts = path.split('/');
    for (let i = 0; i < parts.length; i++) {
      const entry = (await entriesOf(current)).get(parts[i] ?? '');
      if (!entry) return undefined;
      if (i === parts.length - 1) return entry;
      if (entry.type !== 'tree') return undefined;
      current = entry.oid;
    }
    return undefined;
  };
}

/** Reads every subtree of `to` that `from` does not have at the same place (each read is checked). */
export async function readNewTrees(
  ctx: GitContext,
  from: string | undefined,
  to: string,
): Promise<void> {
  if (from === to) return;
  const old = new Map(from ? (await readTree(ctx, from)).map((e) => [e.path, e.oid]) : []);
  for (const e of await readTree(ctx, to)) {
    if (e.type === 'tree' && old.get(e.path) !== e.oid)
      await readNewTrees(ctx, old.get(e.path), e.oid);
  }
}

/** Every blob under a tree, depth first, as [path, entry]. */
export async function* walkTree(
  ctx: GitContext,
  treeOid: string,
  prefix = '',
): AsyncGenerator<[string, TreeEntry]> {
  for (const entry of await readTree(ctx, treeOid)) {
    const path = prefix === '' ? entry.path : `${prefix}/${entry.path}`;
    if (entry.type === 'tree') yield* walkTree(ctx, entry.oid, path);
    else yield [path, entry];
  }
}

export async function resolveRef(ctx: GitContext, ref: string): Promise<string | undefined> {
  return resolveRefIn(ctx.gitdir, ref);
}

export async function isAncestor(
  ctx: GitContext,
  ancestor: string,
  descendant: string,
): Promise<boolean> {
  return reaches(ctx, descendant, ancestor);
}

/**
 * Full names of the refs under `prefix`. A `<ref>.lock` file (a ref being updated right now, by
 * us or another git) is not a ref: git refuses names ending in `.lock`.
 */
export async function listRefs(ctx: GitContext, prefix: string): Promise<string[]> {
  const refs = await git.listRefs({ fs: ctx.fs, gitdir: ctx.gitdir, filepath: prefix });
  return refs.filter((r) => !r.endsWith('.lock')).map((r) => `${prefix}/${r}`);
}

export async function currentBranch(ctx: GitContext): Promise<string | undefined> {
  const b = await git.currentBranch({ fs: ctx.fs, gitdir: ctx.gitdir, fullname: false });
  return b ?? undefined;
}

export async function getConfig(ctx: GitContext, path: string): Promise<string | undefined> {
  const value: unknown = await git.getConfig({ fs: ctx.fs, gitdir: ctx.gitdir, path });
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Config writes of one repository, one after another in this process (each reads, changes and writes the file). */
const configWrites = new Map<string, Promise<unknown>>();

export async function setConfig(
  ctx: GitContext,
  path: string,
  value: string | undefined,
): Promise<void> {
  const before = configWrites.get(ctx.gitdir) ?? Promise.resolve();
  const mine = before
    .catch(() => undefined)
    .then(() => git.setConfig({ fs: ctx.fs, gitdir: ctx.gitdir, path, value }));
  configWrites.set(ctx.gitdir, mine);
  try {
    await mine;
  } finally {
    if (configWrites.get(ctx.gitdir) === mine) configWrites.delete(ctx.gitdir);
  }
}

/** Every `[remote "…"]` section; `url` is undefined for git-annex special remotes, which have none. */
export async function listRemotes(
  ctx: GitContext,
): Promise<{ remote: string; url: string | undefined }[]> {
  const remotes = await git.listRemotes({ fs: ctx.fs, gitdir: ctx.gitdir });
  return remotes.map((r) => ({
    remote: r.remote,
    url: (r.url as string | undefined) ?? undefined,
  }));
}

/** The first merge base of two commits, if they have one. */
export async function findMergeBase(
  ctx: GitContext,
  a: string,
  b: string,
): Promise<string | undefined> {
  const bases = await git.findMergeBase({
    fs: ctx.fs,
    gitdir: ctx.gitdir,
    oids: [a, b],
    cache: cacheFor(ctx),
  });
  return typeof bases[0] === 'string' ? bases[0] : undefined;
}

/** Whether `.gitignore` and `info/exclude` leave `filepath` (relative to `top`) out. */
export function isIgnored(ctx: GitContext, top: string, filepath: string): Promise<boolean> {
  return git.isIgnored({ fs: ctx.fs, dir: top, gitdir: ctx.gitdir, filepath });
}
