/**
 * Checking a folder a user asked to sync before anything is written: `~` expanded, a full path
 * only, an existing folder (one is created only when asked), system folders refused, the home
 * folder only when confirmed, and a path inside a repository answered with that repository's
 * top. An existing git-annex repository is adopted as it is, never re-described.
 */
import { promises as fsp } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, normalize } from 'node:path';
import { findRepository } from './annex/repository';
import { FerryError } from './errors';

/** Folders of the system itself, with everything in them: never synced. */
const SYSTEM_TREES = ['/proc', '/sys', '/dev', '/run', '/boot', '/etc', '/usr', '/bin', '/sbin'];
/** Folders holding the system's or other people's folders: never synced themselves. */
const SYSTEM_ALSO = [
  '/',
  '/lib',
  '/lib32',
  '/lib64',
  '/var',
  '/opt',
  '/srv',
  '/mnt',
  '/media',
  '/home',
];

export interface FolderChoice {
  /** the folder's full path */
  readonly dir: string;
  /** whether it is already a git-annex repository (adopted as it is) */
  readonly isRepository: boolean;
}

export interface ChoiceOptions {
  /** create the folder when it does not exist */
  readonly create?: boolean;
  /** the user confirmed a folder that needs it (the home folder) */
  readonly confirm?: boolean;
  readonly home?: string;
}

/** The full path a typed path names (`~` and `~/x` expanded); relative paths are refused. */
export function expandFolderPath(typed: string, home = homedir()): string {
  const t = typed.trim();
  if (t === '') throw new FerryError('usage', 'give the path of a folder to sync');
  const expanded = t === '~' ? home : t.startsWith('~/') ? join(home, t.slice(2)) : t;
  if (!isAbsolute(expanded))
    throw new FerryError(
      'not-a-folder',
      `"${t.slice(0, 200)}" is not a full path: give one that starts with / or ~/`,
      { path: t },
    );
  return normalize(expanded).replace(/(.)\/+$/, '$1');
}

/** Checks a folder to sync; throws a FerryError saying what to do instead. */
export async function chooseFolder(
  typed: string,
  options: ChoiceOptions = {},
): Promise<FolderChoice> {
  const home = options.home ?? homedir();
  const dir = expandFolderPath(typed, home);
  if (SYSTEM_ALSO.includes(dir) || SYSTEM_TREES.some((s) => dir === s || dir.startsWith(`${s}/`)))
    throw new FerryError(
      'unsafe-path',
      `${dir} is a folder of the system; Ferry does not sync it`,
      {
        path: dir,
      },
    );
  const st = await fsp.stat(dir).catch(() => undefined);
  if (st && !st.isDirectory())
    throw new FerryError('not-a-folder', `${dir} is a file, not a folder`, { path: dir });
  const found = findRepository(dir);
  if (found && found.top !== dir)
    throw new FerryError(
      'inside-repository',
      `${dir} is inside the repository at ${found.top}; sync that folder instead`,
      { path: dir, top: found.top },
    );
  if (!st) {
    if (!options.create)
      throw new FerryError('needs-confirmation', `${dir} does not exist; create it and sync it?`, {
        path: dir,
        create: true,
      });
    await fsp.mkdir(dir, { recursive: true });
  }
  if (dir === normalize(home) && !options.confirm)
    throw new FerryError(
      'needs-confirmation',
      `${dir} is your whole home folder: every file in it would be synced. Sync it anyway?`,
      { path: dir, confirm: true },
    );
  return { dir, isRepository: found?.top === dir };
}
