/**
 * The one place that builds what isomorphic-git needs for a repository: fs, dirs and a shared
 * object cache (much faster on packed repositories). isomorphic-git's cache remembers the list of
 * packs, so a pack written later (by us, or pushed in by another process) would stay invisible:
 * `cacheFor` drops the cache whenever the pack directory changed.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { FerryError } from '../errors';
import type { TreeEntry } from './object-writer';

export interface GitContext {
  readonly fs: typeof fs;
  /** Work tree top, or the gitdir itself for a bare repository. */
  readonly dir: string;
  readonly gitdir: string;
  readonly isBare: boolean;
  /** isomorphic-git's cache object: always pass `cacheFor(ctx)`. */
  cache: Record<string, unknown>;
  /** the pack directory's mtime when the cache was made */
  packStamp: number;
  /** Parsed trees by oid (trees never change); bounded. */
  readonly trees: Map<string, TreeEntry[]>;
}

export function gitContext(dir: string, gitdir: string, isBare: boolean): GitContext {
  return { fs, dir, gitdir, isBare, cache: {}, packStamp: -1, trees: new Map() };
}

function packDirStamp(gitdir: string): number {
  try {
    return fs.statSync(join(gitdir, 'objects', 'pack')).mtimeMs;
  } catch {
    return 0;
  }
}

/** isomorphic-git's cache, fresh whenever packs were added or removed since it was made. */
export function cacheFor(ctx: GitContext): Record<string, unknown> {
  const stamp = packDirStamp(ctx.gitdir);
  if (stamp !== ctx.packStamp) {
    ctx.cache = {};
    ctx.packStamp = stamp;
  }
  return ctx.cache;
}

/**
 * Throws when a git directory is gone (a drive pulled out). Called before any recursive mkdir
 * inside a repository, so a vanished drive's mount point is never recreated as empty folders.
 */
export function assertGitDirPresent(gitdir: string): void {
  if (!fs.existsSync(join(gitdir, 'HEAD'))) {
    throw new FerryError('remote-unavailable', `${gitdir} is gone (was the drive removed?)`, {
      gitdir,
    });
  }
}
