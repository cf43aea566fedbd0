/**
 * git bundles (`# v2 git bundle`: prerequisite lines `-<oid>`, ref lines `<oid> <ref>`, a blank
 * line, a pack), read and written with no git binary: the history half of a special remote.
 * Reading checks every object as a fetch does (its bytes hash to its id, git's fsck checks)
 * before any is written, and a ref is taken only when its history is complete here. Writing
 * sends what the receivers lack: the commits the remote's tips do not reach, and of each one's
 * tree only what differs from its first parent's.
 */
import { FerryError } from '../errors';
import type { GitContext } from './context';
import { objectProblem, parseRawTree } from './fsck';
import type { ObjectDatabase } from './object-db';
import { ObjectBatch, packOf, type ObjectType } from './object-writer';
import { readPack } from './pack-reader';
import { readRaw } from './object-read';

export { readRaw };

export interface Bundle {
  readonly prerequisites: readonly string[];
  readonly refs: readonly { readonly ref: string; readonly oid: string }[];
  readonly pack: Buffer;
}

const OID = /^[0-9a-f]{40}$/;

export function parseBundle(data: Buffer): Bundle {
  const end = data.indexOf('\n\n');
  if (end < 0) throw new FerryError('bad-object', 'a git bundle without its header');
  const lines = data.toString('utf8', 0, end).split('\n');
  const first = lines.shift();
  if (first !== '# v2 git bundle' && first !== '# v3 git bundle')
    throw new FerryError('bad-object', `not a git bundle (${String(first).slice(0, 40)})`);
  const prerequisites: string[] = [];
  const refs: { ref: string; oid: string }[] = [];
  for (const line of lines) {
    if (line.startsWith('@')) continue; // v3 capabilities (object-format=sha1)
    if (line.startsWith('-')) {
      const oid = line.slice(1, 41);
      if (!OID.test(oid)) throw new FerryError('bad-object', 'a bundle prerequisite is not an id');
      prerequisites.push(oid);
      continue;
    }
    const space = line.indexOf(' ');
    const oid = line.slice(0, space);
    if (!OID.test(oid) || space < 0)
      throw new FerryError('bad-object', 'a bundle ref line is malformed');
    refs.push({ oid, ref: line.slice(space + 1) });
  }
  return { prerequisites, refs, pack: data.subarray(end + 2) };
}

export function formatBundle(b: Bundle): Buffer {
  const head = [
    '# v2 git bundle',
    ...b.prerequisites.map((p) => `-${p}`),
    ...b.refs.map((r) => `${r.oid} ${r.ref}`),
  ].join('\n');
  return Buffer.concat([Buffer.from(`${head}\n\n`), b.pack]);
}

export function links(type: ObjectType, raw: Buffer): string[] {
  const out: string[] = [];
  if (type === 'commit' || type === 'tag') {
    const end = raw.indexOf('\n\n');
    for (const line of raw.toString('utf8', 0, end < 0 ? raw.length : end).split('\n'))
      if (/^(tree|parent|object) [0-9a-f]{40}$/.test(line))
        out.push(line.slice(line.indexOf(' ') + 1));
  } else if (type === 'tree') {
    for (const e of treeEntries(raw)) if (e.mode !== '160000') out.push(e.oid);
  }
  return out;
}

/** A tree's entries (trees here passed git's fsck checks, or are our own). */
function treeEntries(raw: Buffer): { mode: string; name: string; oid: string }[] {
  const parsed = parseRawTree(raw);
  if (typeof parsed === 'string') throw new FerryError('bad-object', `a tree holds ${parsed}`);
  return parsed;
}

/**
 * Writes the bundle's objects into the repository, each checked first, and returns its refs
 * whose history is complete here (the others with why).
 */
export async function importBundle(
  local: GitContext,
  localDb: ObjectDatabase,
  bundle: Bundle,
): Promise<{ complete: Bundle['refs']; refused: { ref: string; reason: string }[] }> {
  const objects = await readPack(bundle.pack, async (oid) =>
    localDb.has(oid) ? readRaw(local, oid).catch(() => undefined) : undefined,
  );
  const batch = new ObjectBatch(local.gitdir, 32);
  const fresh = new Map<string, { type: ObjectType; content: Buffer }>();
  for (const o of objects) {
    const problem = objectProblem(o.type, o.content);
    if (problem)
      throw new FerryError('bad-object', `${o.type} ${o.oid} is refused: it holds ${problem}`, {
        oid: o.oid,
      });
    if (localDb.has(o.oid)) continue;
    fresh.set(o.oid, o);
    batch.add(o.type, o.content);
  }
  await batch.flush();
  const complete: { ref: string; oid: string }[] = [];
  const refused: { ref: string; reason: string }[] = [];
  for (const r of bundle.refs) {
    // complete: every object the new ones reach is new too or was here already
    const stack = [r.oid];
    const seen = new Set<string>();
    let missing: string | undefined;
    while (stack.length > 0 && !missing) {
      const oid = stack.pop() ?? '';
      if (seen.has(oid)) continue;
      seen.add(oid);
      const o = fresh.get(oid);
      if (o) stack.push(...links(o.type, o.content));
      else if (!localDb.has(oid)) missing = oid;
    }
    if (missing) refused.push({ ref: r.ref, reason: `object ${missing} it needs is not here` });
    else complete.push(r);
  }
  return { complete, refused };
}

/** Every commit reachable from `tips` (the remote's history), for what not to send again. */
export async function ancestry(
  ctx: GitContext,
  tips: readonly string[],
  into = new Set<string>(),
): Promise<Set<string>> {
  const stack = [...tips];
  while (stack.length > 0) {
    const oid = stack.pop() ?? '';
    if (into.has(oid)) continue;
    const o = await readRaw(ctx, oid).catch(() => undefined);
    if (!o) continue;
    if (o.type === 'tag') {
      stack.push(...links(o.type, o.content));
      continue;
    }
    if (o.type !== 'commit') continue;
    into.add(oid);
    for (const l of links('commit', o.content).slice(1)) stack.push(l); // the parents
  }
  return into;
}

/** The objects to send so that a holder of `known` commits can have `tips`. */
export async function objectsToSend(
  ctx: GitContext,
  tips: readonly string[],
  known: ReadonlySet<string>,
): Promise<{ type: ObjectType; content: Buffer }[]> {
  const objects = new ObjectsOut(ctx);
  const stack = [...tips];
  const visited = new Set<string>();
  while (stack.length > 0) {
    const oid = stack.pop() ?? '';
    if (visited.has(oid) || known.has(oid)) continue;
    visited.add(oid);
    const o = await objects.add(oid);
    if (o.type === 'tag') {
      stack.push(...links('tag', o.content));
      continue;
    }
    if (o.type !== 'commit') continue;
    const parents = await objects.commitWithTree(oid, o.content);
    stack.push(...parents);
  }
  return objects.list();
}

/**
 * The objects of a pack: each commit added with what its tree changed from its first parent's
 * (the parent's objects are sent too, or the receiver has them).
 */
/** Objects of one tree read at once while packing. */
const READS_AT_ONCE = 16;

export class ObjectsOut {
  private readonly out = new Map<string, { type: ObjectType; content: Buffer }>();

  constructor(private readonly ctx: GitContext) {}

  async add(oid: string): Promise<{ type: ObjectType; content: Buffer }> {
    const o = this.out.get(oid) ?? (await readRaw(this.ctx, oid));
    this.out.set(oid, o);
    return o;
  }

  /** A commit (read as `raw`) and its tree's changes; returns its parents. */
  async commitWithTree(oid: string, raw?: Buffer): Promise<string[]> {
    const content = raw ?? (await this.add(oid)).content;
    this.out.set(oid, { type: 'commit', content });
    const parents = links('commit', content).slice(1);
    const first = parents[0];
    const baseTree = first ? treeOf((await readRaw(this.ctx, first)).content) : undefined;
    await this.diffTree(treeOf(content), baseTree);
    return parents;
  }

  private async diffTree(tree: string, base: string | undefined): Promise<void> {
    if (tree === base || this.out.has(tree)) return;
    const t = await this.add(tree);
    const old = base ? treeEntries((await readRaw(this.ctx, base)).content) : [];
    const oldByName = new Map(old.map((e) => [e.name, e]));
    const work: (() => Promise<unknown>)[] = [];
    for (const e of treeEntries(t.content)) {
      const was = oldByName.get(e.name);
      if (was?.oid === e.oid || e.mode === '160000') continue;
      if (e.mode === '40000')
        work.push(() => this.diffTree(e.oid, was?.mode === '40000' ? was.oid : undefined));
      else if (!this.out.has(e.oid)) work.push(() => this.add(e.oid));
    }
    // each read waits on the disk and the thread pool: several at once hide that wait
    for (let i = 0; i < work.length; i += READS_AT_ONCE)
      await Promise.all(work.slice(i, i + READS_AT_ONCE).map((w) => w()));
  }

  list(): { type: ObjectType; content: Buffer }[] {
    return [...this.out.values()];
  }
}

const treeOf = (commit: Buffer): string => commit.toString('latin1', 5, 45);

/** A bundle of `refs`, for receivers that hold the `prerequisites` (and all they reach). */
export async function createBundle(
  ctx: GitContext,
  refs: readonly { ref: string; oid: string }[],
  prerequisites: readonly string[],
  known: ReadonlySet<string>,
): Promise<Buffer> {
  const objects = await objectsToSend(
    ctx,
    refs.map((r) => r.oid),
    known,
  );
  return formatBundle({ prerequisites, refs, pack: packOf(objects) });
}
