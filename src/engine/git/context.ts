/**
 * The one place that builds what isomorphic-git needs for a repository: fs, dirs and a shared
 * object cache (much faster on packed repositories). isomorphic-git's cache remembers the list of
 * packs, so a pack written later (by us, or pushed in by another process) would stay invisible:
 * `cacheFor` drops the cache whenever the pack directory changed.
 */
import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import type { PromiseFsClient } from 'isomorphic-git';
import { join } from 'node:path';
import { FerryError } from '../errors';
import type { TreeEntry } from './object-writer';

/**
 * node's file system for isomorphic-git. isomorphic-git wraps the fs it is given on every call
 * and probes it twice by calling `readFile()` with no argument; node answers with an error that
 * carries a stack trace, which cost about half the CPU of reading many small objects (the
 * annexed files of a big repository). Here the probe gets an answer that costs nothing.
 */
const probeAnswer = Promise.resolve(undefined);

/**
 * isomorphic-git rewrites files such as `.git/config` in place: a reader (git, git-annex, another
 * Ferry) could see it half written, and a crash would leave it so. Every file it writes goes to a
 * temporary name beside it first and is renamed over the old one.
 */
async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options?: Parameters<typeof fsp.writeFile>[2],
): Promise<void> {
  const tmp = `${path}.ferry-${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp`;
  try {
    await fsp.writeFile(tmp, data, options);
    await fsp.rename(tmp, path);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  }
}
export const gitFs: PromiseFsClient = {
  promises: {
    readFile: (...args: unknown[]) =>
      args.length === 0
        ? probeAnswer
        : (fsp.readFile as (...a: unknown[]) => Promise<string | Buffer>)(...args),
    writeFile: writeFileAtomic,
    unlink: fsp.unlink,
    readdir: fsp.readdir,
    mkdir: fsp.mkdir,
    rmdir: fsp.rmdir,
    stat: fsp.stat,
    lstat: fsp.lstat,
    readlink: fsp.readlink,
    symlink: fsp.symlink,
    chmod: fsp.chmod,
    rm: fsp.rm,
    cp: fsp.cp,
  } as PromiseFsClient['promises'],
};

export interface GitContext {
  readonly fs: PromiseFsClient;
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
  return { fs: gitFs, dir, gitdir, isBare, cache: {}, packStamp: -1, trees: new Map() };
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
