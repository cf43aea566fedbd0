/**
 * The steps an add takes in the file system, shared by the general path (`ingest.ts`) and the
 * path for small files already read (`ingest-small.ts`).
 */
import { constants, type BigIntStats, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { errnoCode } from '../errors';
import type { FsOps } from '../os/fs-ops';
import { uniqueSuffix } from '../util/unique-name';
import { keyFile } from './paths';
import type { Repository } from './repository';

/** A name in `.git/annex/tmp` for the key's content on its way in (what cleanIngestLeftovers knows). */
export function tmpName(repo: Repository, key: string): string {
  return join(repo.annexdir, 'tmp', `${keyFile(key)}.ingest-${uniqueSuffix()}`);
}

/** Runs a step that writes into .git/annex/tmp, creating the directory the first time. */
export async function intoTmp(
  repo: Repository,
  ops: FsOps,
  step: () => Promise<void>,
): Promise<void> {
  try {
    await step();
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT') throw e;
    await ops.mkdir(join(repo.annexdir, 'tmp'), true);
    await step();
  }
}

/** A hard link where the file system has them (true), a copy where it does not (false). */
export async function linkOrCopyIntoTmp(
  ops: FsOps,
  from: string,
  tmp: string,
  repo: Repository,
): Promise<boolean> {
  let isLink = true;
  await intoTmp(repo, ops, async () => {
    try {
      await ops.link(from, tmp);
    } catch (e) {
      const code = errnoCode(e);
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EMLINK' && code !== 'EXDEV') throw e;
      await ops.copyFile(from, tmp, constants.COPYFILE_FICLONE);
      isLink = false;
    }
  });
  return isLink;
}

/** Puts a symlink in place of a file in one rename: the name never stands empty. */
export async function replaceWithSymlink(
  ops: FsOps,
  absPath: string,
  target: string,
): Promise<void> {
  const tmp = join(dirname(absPath), `.ferry-link-${uniqueSuffix()}`);
  await ops.symlink(target, tmp);
  try {
    await ops.rename(tmp, absPath);
  } catch (e) {
    await ops.rm(tmp);
    throw e;
  }
}

export function linkIntoTmp(
  ops: FsOps,
  from: string,
  tmp: string,
  repo: Repository,
): Promise<void> {
  return intoTmp(repo, ops, () => ops.link(from, tmp));
}

export function copyIntoTmp(
  ops: FsOps,
  from: string,
  tmp: string,
  repo: Repository,
): Promise<void> {
  return intoTmp(repo, ops, () => ops.copyFile(from, tmp, constants.COPYFILE_FICLONE));
}

/**
 * After a hard-linked file's symlink replaced it: bytes written through its old name after the
 * hash went into the object too. They go back under the file's name and the object is dropped;
 * true when that happened.
 */
export async function undoIfWrittenMeanwhile(
  ops: FsOps,
  object: string,
  absPath: string,
  linked: Stats | BigIntStats,
  mode: number,
): Promise<boolean> {
  const now = typeof linked.ino === 'bigint' ? await ops.statBig(object) : await ops.stat(object);
  const same = now.size === linked.size && now.mtimeMs === linked.mtimeMs;
  if (now.ino !== linked.ino || now.dev !== linked.dev || same) return false;
  await ops.chmod(dirname(object), 0o755).catch(() => undefined);
  await ops.rename(object, absPath);
  await ops.chmod(absPath, mode & 0o777).catch(() => undefined);
  return true;
}
