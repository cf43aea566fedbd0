/**
 * Work-tree files this process wrote itself (a merge bringing files in, content filling an
 * unlocked file), with what they looked like just after: the assistant's watcher hears of
 * those writes too, and a commit of a thousand files Ferry itself just put there (and has
 * already staged) would hold the repository for seconds to find nothing. A file whose stat
 * no longer matches (written again since, by anyone) is a change like any other.
 */
import { lstatSync, type BigIntStats } from 'node:fs';

interface Seen {
  readonly gone: boolean;
  readonly ino: bigint;
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
}

/** Remembered at most this many (the oldest forgotten first). */
const KEPT = 50_000;
const seen = new Map<string, Seen>();

function remember(path: string, s: Seen): void {
  seen.delete(path);
  seen.set(path, s);
  if (seen.size > KEPT) seen.delete(seen.keys().next().value as string);
}

/** `path` was written by this process and now has these stats (`lstat(path, { bigint: true })`). */
export function noteWritten(path: string, st: BigIntStats): void {
  remember(path, {
    gone: false,
    ino: st.ino,
    size: st.size,
    mtimeNs: st.mtimeNs,
    ctimeNs: st.ctimeNs,
  });
}

/** `path` was removed by this process. */
export function noteRemoved(path: string): void {
  remember(path, { gone: true, ino: 0n, size: 0n, mtimeNs: 0n, ctimeNs: 0n });
}

/** Whether `path` is still just as this process left it (so an event about it is our own). */
export function isAsWeLeftIt(path: string): boolean {
  const was = seen.get(path);
  if (!was) return false;
  let st: BigIntStats | undefined;
  try {
    st = lstatSync(path, { bigint: true });
  } catch {
    st = undefined;
  }
  const same = was.gone
    ? st === undefined
    : st !== undefined &&
      st.ino === was.ino &&
      st.size === was.size &&
      st.mtimeNs === was.mtimeNs &&
      st.ctimeNs === was.ctimeNs;
  if (!same) seen.delete(path);
  return same;
}
