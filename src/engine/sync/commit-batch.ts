/**
 * Which changed paths the assistant commits now: those quiet for `quietMs`, at most `max` at a
 * time; while a burst is still arriving it waits for the burst to end, unless a full batch is
 * ready or the ready paths have waited `maxDelayMs` (a file written for ever must not hold up
 * the rest); a path that has kept changing for a while waits longer before it counts as quiet.
 * Pure: the same pending paths and clock give the same answer.
 */
import { relative, sep } from 'node:path';

/** Ferry's own temporary names in the work tree: never a change to commit. */
const IGNORED_NAMES =
  /(^|\/)(\.ferry-(new|link)-[0-9a-f]+|[^/]*\.ferry-tmp|[^/]*\.ferry-[0-9a-f]{8}\.tmp)$/;

/** The work-tree path an event names, relative to `top`, or undefined when it is not a change. */
export function changedPath(top: string, eventPath: string): string | undefined {
  const rel = relative(top, eventPath).split(sep).join('/');
  if (rel === '' || rel.startsWith('..') || rel === '.git' || rel.startsWith('.git/'))
    return undefined;
  return IGNORED_NAMES.test(rel) ? undefined : rel;
}

export interface CommitBatch {
  /** the paths to commit now (empty: nothing yet) */
  readonly ready: string[];
  /** when to look again (ms from now), or undefined when nothing else is pending */
  readonly againInMs: number | undefined;
}

/** A path changing for this long is a file being written: it waits for WRITING_QUIET_MS. */
export const WRITING_AFTER_MS = 300;
export const WRITING_QUIET_MS = 600;

export function commitBatch(
  pending: ReadonlyMap<string, number>,
  now: number,
  options: {
    quietMs: number;
    max: number;
    maxDelayMs: number;
    /** when each pending path first changed since its last commit */
    firstAt?: ReadonlyMap<string, number>;
  },
): CommitBatch {
  const ready: string[] = [];
  let oldestReady = Infinity;
  let nextReady = Infinity;
  for (const [path, at] of pending) {
    // a file written for a while (a download, an export) is taken once it has held still
    // longer: hashing it while it grows only has to be done again
    const first = options.firstAt?.get(path) ?? at;
    const quietMs =
      at - first >= WRITING_AFTER_MS
        ? Math.max(options.quietMs, WRITING_QUIET_MS)
        : options.quietMs;
    if (now - at >= quietMs) {
      if (ready.length < options.max) ready.push(path);
      oldestReady = Math.min(oldestReady, at);
    } else nextReady = Math.min(nextReady, at + quietMs);
  }
  const isBurstActive = nextReady !== Infinity;
  const hasWaitedEnough = now - oldestReady >= options.maxDelayMs;
  if (ready.length === 0 || (isBurstActive && ready.length < options.max && !hasWaitedEnough)) {
    return { ready: [], againInMs: isBurstActive ? Math.max(10, nextReady - now) : undefined };
  }
  return { ready, againInMs: undefined };
}
