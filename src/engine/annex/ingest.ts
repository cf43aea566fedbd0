/**
 * Moving a work-tree file into the content store (the "lockdown" of `git annex add`). The file
 * is hashed where it is and its stat is compared before and after, so a file that changes while
 * it is hashed is never stored under the wrong key. Locked files are hard-linked into the store
 * (no copy) and their symlink then renamed over them, so at every instant the file is under its
 * name: first as itself, then as the link to its object. A kill at any point loses nothing; what
 * is left is at most a stray link in `.git/annex/tmp`, removed by the next add. Unlocked files are
 * copied (big ones hashed from the same reads that copy them; small ones a reflink where the
 * filesystem can) or hard-linked with annex.thin.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, FerryError } from '../errors';
import { asyncOps, readSizeFor, SMALL_FILE_BYTES, syncOps, type FsOps } from '../os/fs-ops';
import { makeKey, type Backend } from './key';
import { hashFile, moveIntoStore, sameFile } from './object-store';
import {
  copyIntoTmp,
  intoTmp,
  linkIntoTmp,
  linkOrCopyIntoTmp,
  replaceWithSymlink,
  tmpName,
  undoIfWrittenMeanwhile,
} from './ingest-steps';
import { uniqueSuffix } from '../util/unique-name';
import type { Repository } from './repository';
import { errorMessage } from '../../shared/errors';

export type FileMode = 'locked' | 'unlocked';

export interface IngestOptions {
  readonly backend: Backend;
  readonly mode: FileMode;
  readonly thin: boolean;
  readonly signal?: AbortSignal;
  readonly onBytes?: (bytes: number) => void;
  /** locked mode: the symlink that replaces the work-tree file once its object is stored */
  readonly symlinkFor?: (key: string) => string;
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
  return new FerryError('io-error', `cannot add ${path}: ${errorMessage(e)}`, { path }, e);
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

/** Adds one regular file's content to the store and returns its key. The work tree is left for the caller. */
export async function ingestFile(
  repo: Repository,
  absPath: string,
  relPath: string,
  options: IngestOptions,
): Promise<Ingested> {
  try {
    const ops = (await syncOps.stat(absPath)).size <= SMALL_FILE_BYTES ? syncOps : asyncOps;
    // a big unlocked file is hashed while it is copied: one pass over its bytes, not two
    if (options.mode === 'unlocked' && !options.thin && ops === asyncOps)
      return await ingestCopying(repo, absPath, relPath, options);
    for (let attempt = 1; ; attempt++) {
      const { key, stat } = await hashStable(absPath, relPath, options, ops);
      const tmp = tmpName(repo, key);
      const changed = (): FerryError =>
        new FerryError('content-changed', `${relPath} kept changing while it was being added`, {
          path: relPath,
        });
      if (options.mode === 'locked') {
        let isLink: boolean;
        try {
          isLink = await linkOrCopyIntoTmp(ops, absPath, tmp, repo);
        } catch (e) {
          await ops.rm(tmp);
          throw e;
        }
        // a link is the same file as the one hashed; a copy is checked against the file it copied
        const linked = await ops.stat(isLink ? tmp : absPath);
        if (!sameFile(stat, linked, { ignoreCtime: true })) {
          // Written between the hash and the link: hash again.
          await ops.rm(tmp);
          if (attempt >= MAX_ATTEMPTS) throw changed();
          continue;
        }
        const object = await moveIntoStore(repo, key, tmp, { ops });
        if (options.symlinkFor) {
          await replaceWithSymlink(ops, absPath, options.symlinkFor(key));
          // Written through the path after the hash and before the link replaced it: the object
          // shares those bytes. They go back under the file's name and the object is dropped.
          if (isLink && (await undoIfWrittenMeanwhile(ops, object, absPath, linked, stat.mode)))
            throw changed();
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

/**
 * An unlocked file's content copied into `.git/annex/tmp` and hashed from the same reads, its
 * stat compared before and after: a file that changed meanwhile is copied again (and given up
 * after MAX_ATTEMPTS), so the copy is always the bytes hashed, of a file that held still.
 */
async function ingestCopying(
  repo: Repository,
  absPath: string,
  relPath: string,
  options: IngestOptions,
): Promise<Ingested> {
  for (let attempt = 1; ; attempt++) {
    const before = await asyncOps.stat(absPath);
    const tmp = join(repo.annexdir, 'tmp', `copy-${uniqueSuffix()}.ingest-${uniqueSuffix()}`);
    let copied: Awaited<ReturnType<typeof hashWhileCopying>>;
    try {
      await intoTmp(repo, asyncOps, async () => {
        const out = await fsp.open(tmp, 'wx', 0o644);
        await out.close();
      });
      copied = await hashWhileCopying(absPath, tmp, before, options.signal);
    } catch (e) {
      await asyncOps.rm(tmp);
      throw e;
    }
    const after = await asyncOps.stat(absPath);
    if (copied !== 'changed' && sameFile(before, after) && copied.size === after.size) {
      const { digest, size } = copied;
      const key = makeKey(options.backend, relPath, digest, size);
      await moveIntoStore(repo, key, tmp, { ops: asyncOps, freeze: true });
      options.onBytes?.(size);
      return { key, size, stat: after };
    }
    await asyncOps.rm(tmp);
    if (attempt >= MAX_ATTEMPTS)
      throw new FerryError(
        'content-changed',
        `${relPath} kept changing while it was being added; try again when it is finished`,
        { path: relPath },
      );
    // still being written: a moment for the writer before the next look
    await new Promise((r) => setTimeout(r, 100 * attempt));
  }
}

/** Streams `from` into the (new, empty) file `to`, hashing what is read: reads, hashing and writes overlap. */
async function hashWhileCopying(
  from: string,
  to: string,
  before: Stats,
  signal?: AbortSignal,
): Promise<{ digest: string; size: number } | 'changed'> {
  const hash = createHash('sha256');
  const out = await fsp.open(to, 'r+');
  let size = 0;
  let writing: Promise<unknown> = Promise.resolve();
  let chunks = 0;
  const input = createReadStream(from, { highWaterMark: readSizeFor(before.size), signal });
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      await writing;
      const at = size;
      writing = writeFully(out, chunk, at);
      writing.catch(() => undefined); // observed when awaited
      hash.update(chunk);
      size += chunk.length;
      // a file still being written is given up early, not copied whole to be thrown away
      if (++chunks % 8 === 0 || size > before.size) {
        const now = await asyncOps.stat(from).catch(() => undefined);
        if (!now || !sameFile(before, now) || size > before.size) {
          input.destroy();
          await writing.catch(() => undefined);
          return 'changed';
        }
      }
    }
    await writing;
  } finally {
    await out.close();
  }
  return { digest: hash.digest('hex'), size };
}

async function writeFully(out: FileHandle, chunk: Buffer, position: number): Promise<void> {
  let off = 0;
  while (off < chunk.length) {
    const { bytesWritten } = await out.write(chunk, off, chunk.length - off, position + off);
    off += bytesWritten;
  }
}

/**
 * Removes what an interrupted add left in `.git/annex/tmp`: links to files that are still under
 * their names (or already in the store). A file with no other name is kept: it is someone's data.
 */
export async function cleanIngestLeftovers(repo: Repository): Promise<void> {
  const dir = join(repo.annexdir, 'tmp');
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!/\.ingest-[0-9a-f]{8,}$/.test(name)) continue;
    const path = join(dir, name);
    const st = await fsp.lstat(path).catch(() => undefined);
    if (st?.isFile() && st.nlink > 1) await fsp.rm(path, { force: true });
  }
}
