/**
 * Moving a work-tree file into the content store (the "lockdown" of `git annex add`). The file
 * is hashed where it is and its stat is compared before and after, so a file that changes while
 * it is hashed is never stored under the wrong key. Locked files are renamed into the store (no
 * copy); unlocked files are copied (a reflink where the filesystem can) or hard-linked with
 * annex.thin.
 */
import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { join } from 'node:path';
import { errnoCode, FerryError } from '../errors';
import { asyncOps, SMALL_FILE_BYTES, syncOps, type FsOps } from '../os/fs-ops';
import { makeKey, type Backend } from './key';
import { hashFile, moveIntoStore, sameFile } from './object-store';
import { keyFile } from './paths';
import type { Repository } from './repository';

export type FileMode = 'locked' | 'unlocked';

export interface IngestOptions {
  readonly backend: Backend;
  readonly mode: FileMode;
  readonly thin: boolean;
  readonly signal?: AbortSignal;
  readonly onBytes?: (bytes: number) => void;
}

export interface Ingested {
  readonly key: string;
  readonly size: number;
  /** the original stat of the work-tree file */
  readonly stat: Stats;
}

const MAX_ATTEMPTS = 3;

function ioError(path: string, e: unknown): FerryError {
  const code = errnoCode(e);
  if (code === 'EACCES' || code === 'EPERM') {
    return new FerryError('unreadable-file', `cannot read ${path}: permission denied`, { path }, e);
  }
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new FerryError(
      'disk-full',
      `no space left on the disk while adding ${path}; the file is unchanged`,
      { path },
      e,
    );
  }
  return new FerryError(
    'io-error',
    `cannot add ${path}: ${e instanceof Error ? e.message : String(e)}`,
    { path },
    e,
  );
}

async function hashStable(
  absPath: string,
  relPath: string,
  options: IngestOptions,
  ops: FsOps,
): Promise<{ key: string; stat: Stats }> {
  for (let attempt = 1; ; attempt++) {
    const before = await ops.stat(absPath);
    const { digest, size } = await hashFile(absPath, 'sha256', { signal: options.signal, ops });
    const after = await ops.stat(absPath);
    if (sameFile(before, after) && size === after.size) {
      return { key: makeKey(options.backend, relPath, digest, size), stat: after };
    }
    if (attempt >= MAX_ATTEMPTS) {
      throw new FerryError(
        'content-changed',
        `${relPath} kept changing while it was being added; try again when it is finished`,
        {
          path: relPath,
        },
      );
    }
  }
}

function tmpName(repo: Repository, key: string): string {
  return join(repo.annexdir, 'tmp', `${keyFile(key)}.ingest-${randomBytes(4).toString('hex')}`);
}

/** Adds one regular file's content to the store and returns its key. The work tree is left for the caller. */
export async function ingestFile(
  repo: Repository,
  absPath: string,
  relPath: string,
  options: IngestOptions,
): Promise<Ingested> {
  try {
    const ops = (await syncOps.stat(absPath)).size <= SMALL_FILE_BYTES ? syncOps : asyncOps;
    for (let attempt = 1; ; attempt++) {
      const { key, stat } = await hashStable(absPath, relPath, options, ops);
      const tmp = tmpName(repo, key);
      const changed = (): FerryError =>
        new FerryError('content-changed', `${relPath} kept changing while it was being added`, {
          path: relPath,
        });
      if (options.mode === 'locked') {
        await renameIntoTmp(ops, absPath, tmp, repo);
        const moved = await ops.stat(tmp);
        if (!sameFile(stat, moved, { ignoreCtime: true })) {
          // Written between the hash and the rename: put it back and hash again.
          await ops.rename(tmp, absPath);
          if (attempt >= MAX_ATTEMPTS) throw changed();
          continue;
        }
        try {
          await moveIntoStore(repo, key, tmp, { ops });
        } catch (e) {
          // Never lose the user's file: put it back where it was.
          await ops.rename(tmp, absPath).catch(() => undefined);
          throw e;
        }
      } else {
        try {
          if (options.thin) await linkIntoTmp(ops, absPath, tmp, repo);
          else await copyIntoTmp(ops, absPath, tmp, repo);
        } catch (e) {
          await ops.rm(tmp);
          throw e;
        }
        const after = await ops.stat(absPath);
        if (!sameFile(stat, after, { ignoreCtime: options.thin })) {
          await ops.rm(tmp);
          if (attempt >= MAX_ATTEMPTS) throw changed();
          continue;
        }
        await moveIntoStore(repo, key, tmp, { ops, freeze: !options.thin });
      }
      options.onBytes?.(stat.size);
      return { key, size: stat.size, stat };
    }
  } catch (e) {
    if (e instanceof FerryError) throw e;
    throw ioError(relPath, e);
  }
}

/** Runs a step that writes into .git/annex/tmp, creating the directory the first time. */
async function intoTmp(repo: Repository, ops: FsOps, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT') throw e;
    await ops.mkdir(join(repo.annexdir, 'tmp'), true);
    await step();
  }
}

function renameIntoTmp(ops: FsOps, from: string, tmp: string, repo: Repository): Promise<void> {
  return intoTmp(repo, ops, () => ops.rename(from, tmp));
}

function linkIntoTmp(ops: FsOps, from: string, tmp: string, repo: Repository): Promise<void> {
  return intoTmp(repo, ops, () => ops.link(from, tmp));
}

function copyIntoTmp(ops: FsOps, from: string, tmp: string, repo: Repository): Promise<void> {
  return intoTmp(repo, ops, () => ops.copyFile(from, tmp, constants.COPYFILE_FICLONE));
}
