/**
 * The add of a small file whose bytes the caller has already read (to tell a pointer file from
 * content): hashed from those bytes, so the file is opened once, not three times, and stat'ed
 * twice, not six. An add of 10,000 small files spent most of its time in those system calls.
 *
 * What keeps it safe is the same as on the general path: the hard link into `.git/annex/tmp` is
 * checked to be the very file that was read (inode, size, modification time) before it goes into
 * the store, and a write through the old name after that is found once the symlink has replaced
 * it, and undone. Anything unexpected returns undefined and the caller takes the general path,
 * which retries.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, openSync, readSync, writeSync, type BigIntStats } from 'node:fs';
import { errnoCode } from '../errors';
import { syncOps as ops } from '../os/fs-ops';
import {
  intoTmp,
  linkIntoTmp,
  replaceWithSymlink,
  tmpName,
  undoIfWrittenMeanwhile,
} from './ingest-steps';
import type { Ingested, IngestOptions } from './ingest';
import { makeKey } from './key';
import { moveIntoStore } from './object-store';
import type { Repository } from './repository';

/** Whether `now` is still the file `before` described (with a link, ctime aside: linking changes it). */
function unchanged(before: BigIntStats, now: BigIntStats, withCtime: boolean): boolean {
  return (
    before.size === now.size &&
    before.ino === now.ino &&
    before.dev === now.dev &&
    before.mtimeNs === now.mtimeNs &&
    (!withCtime || before.ctimeNs === now.ctimeNs)
  );
}

function writeNew(path: string, content: Buffer): Promise<void> {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
  try {
    let off = 0;
    while (off < content.length) off += writeSync(fd, content, off);
  } finally {
    closeSync(fd);
  }
  return Promise.resolve();
}

/**
 * Stores `content`, the bytes just read from `absPath` whose lstat before the read was `before`.
 * Undefined when the file changed meanwhile (or the file system refused a step the general path
 * handles): nothing is left behind and the caller adds the file the general way.
 */
export async function ingestRead(
  repo: Repository,
  absPath: string,
  relPath: string,
  before: BigIntStats,
  content: Buffer,
  options: IngestOptions,
): Promise<Pick<Ingested, 'key' | 'size'> | undefined> {
  if (BigInt(content.length) !== before.size) return undefined;
  const digest = createHash('sha256').update(content).digest('hex');
  const key = makeKey(options.backend, relPath, digest, content.length);
  const tmp = tmpName(repo, key);
  const linking = options.mode === 'locked' || options.thin;
  try {
    if (linking) await linkIntoTmp(ops, absPath, tmp, repo);
    else await intoTmp(repo, ops, () => writeNew(tmp, content));
  } catch (e) {
    await ops.rm(tmp);
    const code = errnoCode(e);
    // no hard links here: the general path copies
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EMLINK' || code === 'EXDEV')
      return undefined;
    throw e;
  }
  // A link must be the file that was read; a copy (our own bytes) needs the file unchanged so
  // the index entry made from its stat is true.
  const linked = linking ? await ops.statBig(tmp) : undefined;
  const still = unchanged(before, linked ?? (await ops.lstatBig(absPath)), linked === undefined);
  if (!still) {
    await ops.rm(tmp);
    return undefined;
  }
  const object = await moveIntoStore(repo, key, tmp, {
    ops,
    freeze: options.mode === 'locked' || !options.thin,
  });
  if (options.mode === 'locked' && options.symlinkFor && linked) {
    await replaceWithSymlink(ops, absPath, options.symlinkFor(key));
    if (await undoIfWrittenMeanwhile(ops, object, absPath, linked, Number(before.mode)))
      return undefined;
  }
  options.onBytes?.(content.length);
  return { key, size: content.length };
}

/**
 * A small file's bytes in one open, read and close (readFileSync adds an fstat and a second
 * read). Undefined when it holds more than `size` bytes now: it is being written.
 */
export function readSmallFile(absPath: string, size: number): Buffer | undefined {
  const fd = openSync(absPath, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const buf = Buffer.allocUnsafe(size + 1);
    let got = 0;
    for (;;) {
      const n = readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) break;
      got += n;
      if (got > size) return undefined;
    }
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}
