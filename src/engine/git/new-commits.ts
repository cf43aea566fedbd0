/**
 * Which commits the other side lacks: those reachable from `tips` and not from `haves`, found
 * as git finds them (newest first by committer date, painting each commit "wanted" or "they
 * have it", stopping once only commits they have are left to look at). The cost is the new
 * commits plus as much of their history as reaches back to the same dates, not the whole
 * history. A commit dated before its parent is looked at as of its parent; a longer run of
 * such commits can make it list commits they have, never miss one they lack.
 */
import { FerryError } from '../errors';
import type { GitContext } from './context';
import { ObjectsOut, links, readRaw } from './bundle';
import type { ObjectType } from './object-writer';

const WANTED = 1;
const HAVE = 2;

interface Item {
  readonly oid: string;
  readonly time: number;
}

/** A max-heap by committer time. */
class Queue {
  private readonly items: Item[] = [];
  get size(): number {
    return this.items.length;
  }
  /** whether any queued entry passes `test` (the queue is as wide as the history, a few) */
  some(test: (item: Item) => boolean): boolean {
    return this.items.some(test);
  }
  push(item: Item): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if ((a[up]?.time ?? 0) >= item.time) break;
      a[i] = a[up] as Item;
      i = up;
    }
    a[i] = item;
  }
  /** the newest queued entry's time */
  top(): number {
    return this.items[0]?.time ?? -Infinity;
  }
  pop(): Item | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        const t = (k: number): number => (k === i ? last.time : (a[k]?.time ?? 0));
        if (l < a.length && t(l) > t(m)) m = l;
        if (r < a.length && t(r) > t(m)) m = r;
        if (m === i) break;
        a[i] = a[m] as Item;
        i = m;
      }
      a[i] = last;
    }
    return top;
  }
}

interface Parsed {
  readonly parents: string[];
  readonly time: number;
  readonly raw: Buffer;
}

function committerTime(raw: Buffer): number {
  const end = raw.indexOf('\n\n');
  const head = raw.toString('utf8', 0, end < 0 ? raw.length : end);
  const m = /^committer .* (\d+) [+-]\d{4}$/m.exec(head);
  return m?.[1] ? Number(m[1]) : 0;
}

export interface NewHistory {
  /** the commits to send, newest first */
  readonly commits: string[];
  /** annotated tags among the tips, sent as well */
  readonly tags: string[];
}

/** The commits reachable from `tips` that `haves` (commits here) do not reach. */
export async function newCommits(
  ctx: GitContext,
  tips: readonly string[],
  haves: readonly string[],
): Promise<NewHistory> {
  const parsed = new Map<string, Parsed | null>();
  const read = async (oid: string): Promise<Parsed | null> => {
    const known = parsed.get(oid);
    if (known !== undefined) return known;
    const o = await readRaw(ctx, oid).catch(() => undefined);
    const p =
      o?.type === 'commit'
        ? {
            parents: links('commit', o.content).slice(1),
            time: committerTime(o.content),
            raw: o.content,
          }
        : null;
    parsed.set(oid, p);
    return p;
  };
  const flags = new Map<string, number>();
  const queue = new Queue();
  const tags: string[] = [];
  const mark = async (oid: string, flag: number): Promise<void> => {
    const before = flags.get(oid) ?? 0;
    const after = before | flag;
    if (after === before) return;
    const c = await read(oid);
    if (!c) return; // missing here (a have we do not hold): nothing to paint
    flags.set(oid, after);
    let time = c.time;
    // a commit dated before its parents (made on a clock that was behind) is looked at as of
    // its newest parent, so its history is not left for last
    for (const p of c.parents) time = Math.max(time, (await read(p))?.time ?? 0);
    queue.push({ oid, time });
  };
  for (const tip of tips) {
    let oid = tip;
    // an annotated tag: sent itself, and what it names walked
    for (let depth = 0; depth < 8; depth++) {
      const o = await readRaw(ctx, oid).catch(() => undefined);
      if (o?.type !== 'tag') break;
      tags.push(oid);
      oid = links('tag', o.content)[0] ?? oid;
    }
    await mark(oid, WANTED);
  }
  for (const h of haves) await mark(h, HAVE);
  // done once every commit still queued is one they have, and none of those is as new as a
  // wanted one already looked at (one made in the same second may still reach it)
  const open = (it: Item): boolean => !((flags.get(it.oid) ?? 0) & HAVE);
  let oldestWanted = Infinity;
  while (queue.size > 0 && (queue.some(open) || queue.top() >= oldestWanted)) {
    const item = queue.pop();
    if (!item) break;
    const c = parsed.get(item.oid);
    if (!c) continue;
    const f = flags.get(item.oid) ?? 0;
    if (!(f & HAVE)) oldestWanted = Math.min(oldestWanted, item.time);
    for (const p of c.parents) await mark(p, f);
  }
  const commits = [...flags]
    .filter(([, f]) => f & WANTED && !(f & HAVE))
    .map(([oid]) => oid)
    .sort((x, y) => (parsed.get(y)?.time ?? 0) - (parsed.get(x)?.time ?? 0));
  return { commits, tags };
}

/** The objects of a pack that gives a holder of `haves` the history of `tips`. */
export async function packObjects(
  ctx: GitContext,
  tips: readonly string[],
  haves: readonly string[],
): Promise<{ type: ObjectType; content: Buffer }[]> {
  const { commits, tags } = await newCommits(ctx, tips, haves);
  const out = new ObjectsOut(ctx);
  for (const t of tags) await out.add(t);
  for (const c of commits) await out.commitWithTree(c);
  return out.list();
}

/**
 * Whether `ancestor` is in `descendant`'s history, by the same walk (it looks back only as far
 * as the dates reach, not through the whole history when the answer is no). Throws when either
 * is not a commit here.
 */
export async function reaches(
  ctx: GitContext,
  descendant: string,
  ancestor: string,
): Promise<boolean> {
  if (ancestor === descendant) return true;
  for (const oid of [ancestor, descendant]) {
    const o = await readRaw(ctx, oid);
    if (o.type !== 'commit')
      throw new FerryError('bad-object', `${oid} is a ${o.type}, not a commit`);
  }
  return (await newCommits(ctx, [ancestor], [descendant])).commits.length === 0;
}
