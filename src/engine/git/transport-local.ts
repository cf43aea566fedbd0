/**
 * Moving git objects between two repositories on this machine (another clone, a drive) without
 * the git binary: walk from the wanted tips, stop wherever the destination already has the
 * object (a present commit or tree implies everything below it), and write what is missing as
 * one pack. Objects land before any ref moves, so a crash never leaves a ref to a missing object.
 */
import { FerryError } from '../errors';
import { gitContext, type GitContext } from './context';
import { objectProblem } from './fsck';
import type { ObjectDatabase } from './object-db';
import { readRaw } from './object-read';
import { hashObject, ObjectBatch, type TreeEntry } from './object-writer';
import { commitTree, readTree } from './read';

function parseCommitLinks(raw: Buffer): string[] {
  const out: string[] = [];
  const end = raw.indexOf('\n\n');
  for (const line of raw.toString('utf8', 0, end < 0 ? raw.length : end).split('\n')) {
    if (line.startsWith('tree ') || line.startsWith('parent '))
      out.push(line.slice(line.indexOf(' ') + 1));
  }
  return out;
}

interface Todo {
  readonly oid: string;
  /** a tree at the same path that the destination has (in a commit it has) */
  readonly base?: string;
}

function parseTreeLinks(raw: Buffer): { name: string; oid: string; isTree: boolean }[] {
  const out: { name: string; oid: string; isTree: boolean }[] = [];
  let pos = 0;
  while (pos < raw.length) {
    const space = raw.indexOf(0x20, pos);
    const nul = raw.indexOf(0, space);
    const mode = raw.toString('latin1', pos, space);
    const name = raw.toString('utf8', space + 1, nul);
    const oid = raw.toString('hex', nul + 1, nul + 21);
    // submodule commits live elsewhere
    if (mode !== '160000') out.push({ name, oid, isTree: mode === '40000' });
    pos = nul + 21;
  }
  return out;
}

/**
 * What the destination has, read off a tree it has at the same path: a commit whose parent it
 * has changes a few entries of a big tree (a git-annex branch's root holds thousands of
 * folders), and only the entries that differ are looked up in its object store. A commit or
 * tree the destination has implies everything below it, as for the walk itself. Bases are read
 * from the trusted side (ours), so a hostile repository cannot make entries look present.
 */
class TreeBases {
  constructor(private readonly ctx: GitContext) {}

  async commitTree(commit: string): Promise<string | undefined> {
    try {
      return await commitTree(this.ctx, commit);
    } catch {
      return undefined; // not readable here: every entry is looked up
    }
  }

  async children(raw: Buffer, base: string | undefined): Promise<Todo[]> {
    const links = parseTreeLinks(raw);
    let had: Map<string, TreeEntry> | undefined;
    if (base) {
      try {
        had = new Map((await readTree(this.ctx, base)).map((e) => [e.path, e]));
      } catch {
        had = undefined;
      }
    }
    const out: Todo[] = [];
    for (const l of links) {
      const old = had?.get(l.name);
      if (old?.oid === l.oid) continue;
      out.push({ oid: l.oid, base: l.isTree && old?.type === 'tree' ? old.oid : undefined });
    }
    return out;
  }
}

function parseTagLinks(raw: Buffer): string[] {
  const m = /^object ([0-9a-f]{40})/m.exec(raw.toString('utf8'));
  return m?.[1] ? [m[1]] : [];
}

export interface CopyResult {
  readonly objects: number;
  readonly bytes: number;
}

/**
 * Copies every object reachable from `tips` that `dest` lacks. Every object is checked before
 * anything is written: its bytes must hash to its id and trees, commits and tags must pass git's
 * fsck checks. One bad object fails the whole copy (a `bad-object` error naming it) and nothing is
 * stored, so callers copy one tip at a time to keep the others.
 */
export async function copyObjects(
  source: GitContext,
  dest: { gitdir: string; db: ObjectDatabase; untrusted?: boolean; ctx?: GitContext },
  tips: readonly string[],
  signal?: AbortSignal,
): Promise<CopyResult> {
  const batch = new ObjectBatch(dest.gitdir, 32, dest.untrusted === true);
  const bases = new TreeBases(
    dest.untrusted ? source : (dest.ctx ?? gitContext(dest.gitdir, dest.gitdir, true)),
  );
  const seen = new Set<string>();
  const stack: Todo[] = tips.map((oid) => ({ oid }));
  let bytes = 0;
  while (stack.length > 0) {
    signal?.throwIfAborted();
    const { oid, base } = stack.pop() ?? { oid: '' };
    if (seen.has(oid) || dest.db.has(oid)) continue;
    seen.add(oid);
    // read directly (loose or packed): isomorphic-git's readObject looked for the git folder
    // again and went through the thread pool for each object, behind a burst's transfers
    const { type, content: raw } = await readRaw(source, oid);
    bytes += raw.length;
    const problem =
      hashObject(type, raw) !== oid ? 'its bytes do not hash to its id' : objectProblem(type, raw);
    if (problem) {
      throw new FerryError('bad-object', `${type} ${oid} is refused: it holds ${problem}`, {
        oid,
        type,
      });
    }
    batch.add(type, raw);
    if (type === 'commit') {
      const [tree = '', ...parents] = parseCommitLinks(raw);
      stack.push(...parents.map((p) => ({ oid: p })));
      const had = parents.find((p) => dest.db.has(p));
      stack.push({ oid: tree, base: had ? await bases.commitTree(had) : undefined });
    } else if (type === 'tree') stack.push(...(await bases.children(raw, base)));
    else if (type === 'tag') stack.push(...parseTagLinks(raw).map((t) => ({ oid: t })));
  }
  const objects = batch.size;
  await batch.flush();
  return { objects, bytes };
}
