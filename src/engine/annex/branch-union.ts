/**
 * The union merge of two git-annex branch trees (deletions never propagate; lines are unioned
 * and sorted), and the size rule for branch files. One file that cannot be merged (bigger than
 * Ferry reads) is left as this side has it and reported; the rest of the tree is merged.
 */
import { FerryError } from '../errors';
import type { GitContext } from '../git/context';
import { serializeTree, type ObjectBatch, type TreeEntry } from '../git/object-writer';
import { readBlob, readTree } from '../git/read';
import { unionMergeText } from './logs';

/**
 * The most of one git-annex branch file Ferry reads (git-annex's own logs stay far below: a
 * uuid.log of a thousand repositories is about 100 KiB).
 */
export const MAX_LOG_BYTES = 64 << 20;

export function tooLarge(path: string, size: number): FerryError {
  return new FerryError(
    'too-large',
    `the git-annex branch file ${path} is ${size} bytes, more than the ${MAX_LOG_BYTES} Ferry reads`,
    { path, size },
  );
}

export function logText(blob: Uint8Array, path: string): string {
  if (blob.byteLength > MAX_LOG_BYTES) throw tooLarge(path, blob.byteLength);
  return Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength).toString('utf8');
}

/**
 * The top-level files (uuid.log, trust.log, remote.log...: read whole for every command) that
 * `to` changes from `from` and that are too big to read, by path with why.
 */
export async function oversizedTopLogs(
  git: GitContext,
  from: string,
  to: string,
): Promise<Map<string, string>> {
  const old = new Map((await readTree(git, from)).map((e) => [e.path, e.oid]));
  const out = new Map<string, string>();
  for (const e of await readTree(git, to)) {
    if (e.type !== 'blob' || old.get(e.path) === e.oid) continue;
    const size = (await readBlob(git, e.oid)).byteLength;
    if (size > MAX_LOG_BYTES) out.set(e.path, tooLarge(e.path, size).message);
  }
  return out;
}

export interface UnionOptions {
  /** top-level paths left as `a` has them */
  readonly skip?: ReadonlySet<string>;
  /** files that could not be merged, with why (they keep `a`'s version) */
  readonly problems?: string[];
}

/** The union of two branch trees; `a` when `b` adds nothing. */
export async function unionTrees(
  git: GitContext,
  batch: ObjectBatch,
  a: string,
  b: string,
  options: UnionOptions = {},
  prefix = '',
): Promise<string> {
  if (a === b) return a;
  const left = new Map((await readTree(git, a)).map((e) => [e.path, e]));
  const right = await readTree(git, b);
  let changed = false;
  for (const r of right) {
    const path = prefix === '' ? r.path : `${prefix}/${r.path}`;
    if (prefix === '' && options.skip?.has(r.path)) continue;
    const l = left.get(r.path);
    if (!l) {
      left.set(r.path, r);
      changed = true;
    } else if (l.oid !== r.oid) {
      let merged: TreeEntry = l;
      if (l.type === 'tree' && r.type === 'tree') {
        merged = { ...l, oid: await unionTrees(git, batch, l.oid, r.oid, options, path) };
      } else if (l.type === 'blob' && r.type === 'blob') {
        try {
          const lt = logText(await readBlob(git, l.oid), path);
          const rt = logText(await readBlob(git, r.oid), path);
          const u = unionMergeText(lt, rt);
          merged =
            u.same === 'left'
              ? l
              : u.same === 'right'
                ? r
                : { ...l, oid: batch.add('blob', u.text) };
        } catch (e) {
          if (!(e instanceof FerryError) || e.code !== 'too-large') throw e;
          options.problems?.push(e.message);
        }
      }
      if (merged.oid !== l.oid) changed = true;
      left.set(r.path, merged);
    }
  }
  return changed ? batch.add('tree', serializeTree([...left.values()])) : a;
}
