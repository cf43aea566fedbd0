/**
 * The one place that builds what isomorphic-git needs for a repository: fs, dirs and a shared
 * object cache (much faster on packed repositories). Every module in engine/git takes a GitContext.
 */
import * as fs from 'node:fs';
import type { TreeEntry } from './object-writer';

export interface GitContext {
  readonly fs: typeof fs;
  /** Work tree top, or the gitdir itself for a bare repository. */
  readonly dir: string;
  readonly gitdir: string;
  readonly isBare: boolean;
  /** isomorphic-git's cache object: pass it to every call, drop it after repacking. */
  cache: Record<string, unknown>;
  /** Parsed trees by oid (trees never change); bounded. */
  readonly trees: Map<string, TreeEntry[]>;
}

export function gitContext(dir: string, gitdir: string, isBare: boolean): GitContext {
  return { fs, dir, gitdir, isBare, cache: {}, trees: new Map() };
}
