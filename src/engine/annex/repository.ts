/**
 * An opened git-annex repository: where things are, its UUID, and its git context.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { FerryError } from '../errors';
import { assertGitDirPresent, gitContext, type GitContext } from '../git/context';
import { getConfig } from '../git/read';

export interface Repository {
  /** Work-tree top, or the repository directory itself when bare. */
  readonly top: string;
  readonly gitdir: string;
  readonly annexdir: string;
  readonly isBare: boolean;
  readonly git: GitContext;
  /** Empty until the repository is initialised for git-annex. */
  uuid: string;
  /**
   * Another repository (a remote): its annex is untrusted input. Every directory under its annex
   * folder must be a real directory before anything in it is read, locked, created or chmodded.
   */
  readonly untrusted?: boolean;
}

function readGitFile(path: string): string | undefined {
  try {
    const text = readFileSync(path, 'utf8');
    const m = /^gitdir: (.*)$/m.exec(text);
    return m?.[1] ? resolve(dirname(path), m[1].trim()) : undefined;
  } catch {
    return undefined;
  }
}

function isGitDir(path: string): boolean {
  return (
    existsSync(join(path, 'HEAD')) &&
    existsSync(join(path, 'objects')) &&
    existsSync(join(path, 'refs'))
  );
}

/** Finds the repository holding `path` (walking up), without requiring git-annex init. */
export function findRepository(
  path: string,
): { top: string; gitdir: string; isBare: boolean } | undefined {
  let dir = resolve(path);
  for (;;) {
    const dotgit = join(dir, '.git');
    let st;
    try {
      st = statSync(dotgit);
    } catch {
      st = undefined;
    }
    if (st?.isDirectory()) return { top: dir, gitdir: dotgit, isBare: false };
    if (st?.isFile()) {
      const gitdir = readGitFile(dotgit);
      if (gitdir) return { top: dir, gitdir, isBare: false };
    }
    if (isGitDir(dir)) {
      const config = (() => {
        try {
          return readFileSync(join(dir, 'config'), 'utf8');
        } catch {
          return '';
        }
      })();
      if (/^\s*bare\s*=\s*true/m.test(config)) return { top: dir, gitdir: dir, isBare: true };
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export async function openRepository(
  path: string,
  options: { requireAnnex?: boolean } = {},
): Promise<Repository> {
  const found = findRepository(path);
  if (!found) {
    throw new FerryError(
      'not-a-repository',
      `${resolve(path)} is not inside a git repository (run "ferry init")`,
      {
        path,
      },
    );
  }
  const git = gitContext(found.top, found.gitdir, found.isBare);
  const uuid = (await getConfig(git, 'annex.uuid')) ?? '';
  if (options.requireAnnex !== false && uuid === '') {
    throw new FerryError(
      'not-initialized',
      `${found.top} is not a Ferry repository yet (run "ferry init")`,
      {
        path: found.top,
      },
    );
  }
  return { ...found, annexdir: join(found.gitdir, 'annex'), git, uuid };
}

/**
 * Throws when the repository's git directory is gone (a drive pulled out). Called before any
 * recursive mkdir inside it, so a vanished drive's mount point is never recreated as an empty
 * directory tree.
 */
export function assertPresent(repo: Pick<Repository, 'gitdir'>): void {
  assertGitDirPresent(repo.gitdir);
}
