/**
 * Receiving content into a store: copied into `.git/annex/tmp/<keyFile>` and hashed while it is
 * copied, continued from a partial copy, moved into the objects only once the bytes hash to the
 * key. The one verifier every transfer goes through.
 */
import { constants, createReadStream, promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errnoCode, FerryError } from '../errors';
import { readSizeFor, SMALL_FILE_BYTES, syncOps } from '../os/fs-ops';
import { makeParentDirs } from '../os/safe-path';
import { isUsableKey, parseKey } from './key';
import {
  annexRel,
  assertAnnexDir,
  findObject,
  keyHasher,
  matchesKey,
  moveIntoStore,
  openObject,
  tmpPath,
  type Progress,
  type StoreRepo,
} from './object-store';
import { assertPresent } from './repository';

export interface ReceiveOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: Progress;
  /** awaited before each chunk is written, with its size: a rate limit */
  readonly throttle?: (bytes: number) => Promise<void>;
  /**
   * A second file (a new one, made here) that gets the same bytes as they arrive: the
   * work-tree copy of an unlocked file, written beside the object instead of copied from it
   * afterwards. Complete only when the receive succeeded; removed when it failed. Not written
   * when the receive continues a partial copy.
   */
  readonly copyTo?: string;
}

/**
 * What content is read from: an object of a repository (checked as its trust says), a file, or
 * a stream from a network remote, opened at an offset (the bytes already received).
 */
export type ObjectSource =
  string | { readonly repo: StoreRepo; readonly path: string } | StreamSource;

export interface StreamSource {
  open(offset: number, signal?: AbortSignal): Promise<AsyncIterable<Buffer>>;
}

function isStream(source: ObjectSource): source is StreamSource {
  return typeof source === 'object' && 'open' in source;
}

/**
 * Copies a source file into `.git/annex/tmp/<keyFile>` and moves it into the store once the
 * bytes hash to the key. A partial temporary file from an earlier attempt is continued: its
 * bytes are hashed first, then the rest is appended. A mismatch discards the temporary file.
 */
/** Received bytes are flushed to disk in the background every this many bytes. */
const SYNC_EVERY = 32 << 20;
/** Received bytes are written in pieces of up to this size. */
const WRITE_BYTES = 1 << 20;

/** Closes the work-tree copy; removes it unless it holds every byte, verified. */
async function closeCopy(
  tee: FileHandle | undefined,
  path: string | undefined,
  keep: boolean,
): Promise<void> {
  if (!tee || path === undefined) return;
  await tee.close().catch(() => undefined);
  if (!keep) await fsp.rm(path, { force: true });
}

export async function receiveFromFile(
  repo: StoreRepo,
  key: string,
  source: ObjectSource,
  options: ReceiveOptions = {},
): Promise<string> {
  try {
    return await receiveOnce(repo, key, source, options);
  } catch (e) {
    // A resumed partial file may have been the bad part: try once more from the first byte.
    if (e instanceof FerryError && e.code === 'checksum-mismatch' && e.data.resumedFrom !== 0) {
      return receiveOnce(repo, key, source, options);
    }
    throw e;
  }
}

async function receiveOnce(
  repo: StoreRepo,
  key: string,
  source: ObjectSource,
  options: ReceiveOptions,
): Promise<string> {
  if (!isUsableKey(key))
    throw new FerryError('invalid-key', `${JSON.stringify(key)} is not a valid key`, { key });
  const existing = await findObject(repo, key);
  if (existing) return existing;
  const tmp = tmpPath(repo, key);
  assertPresent({ gitdir: dirname(repo.annexdir) });
  if (repo.untrusted) {
    assertAnnexDir(repo);
    await makeParentDirs(repo.annexdir, annexRel(repo, tmp));
  } else await fsp.mkdir(dirname(tmp), { recursive: true });
  const hasher = keyHasher(key);
  const parsed = parseKey(key);
  let done = 0;
  try {
    const st = await fsp.lstat(tmp);
    const limit = parsed?.size;
    if (!st.isFile() || (limit !== undefined && st.size > limit))
      await fsp.rm(tmp, { force: true });
    else if (st.size > 0) {
      for await (const chunk of createReadStream(tmp, {
        highWaterMark: readSizeFor(st.size),
      }) as AsyncIterable<Buffer>) {
        hasher?.update(chunk);
        done += chunk.length;
      }
    }
  } catch {
    // no partial file
  }
  options.onProgress?.(done);
  const resumedFrom = done;
  // stopped while the partial copy was being hashed: stop before opening anything
  options.signal?.throwIfAborted();
  const flags = done > 0 ? constants.O_APPEND : constants.O_TRUNC;
  const out = await fsp.open(
    tmp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | flags,
    0o644,
  );
  const tee =
    options.copyTo !== undefined && done === 0
      ? await fsp
          .open(
            options.copyTo,
            constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
            0o644,
          )
          .catch(() => undefined)
      : undefined;
  let copyOk = tee !== undefined;
  let input: AsyncIterable<Buffer> | undefined;
  // what was written is flushed to disk while more arrives, so the last flush is short
  let syncing: Promise<void> = Promise.resolve();
  try {
    options.signal?.throwIfAborted();
    if (isStream(source)) input = await source.open(done, options.signal);
    else {
      const from =
        typeof source === 'string'
          ? { repo: { annexdir: '', isBare: false }, path: source }
          : source;
      const handle = await openObject(from.repo, key, from.path);
      input = createReadStream(from.path, {
        fd: handle,
        start: done,
        highWaterMark: readSizeFor(parsed?.size === undefined ? undefined : parsed.size - done),
        signal: options.signal,
      }) as AsyncIterable<Buffer>;
    }
    // Reading (the stream reads ahead), hashing and writing overlap: each chunk is hashed
    // while the previous one is still being written.
    const writeTo = async (file: FileHandle, chunk: Buffer): Promise<void> => {
      let off = 0;
      while (off < chunk.length) {
        const { bytesWritten } = await file.write(chunk, off, chunk.length - off);
        off += bytesWritten;
      }
    };
    // the copy is written beside the object, on another thread of the pool; a copy that
    // cannot be written is given up (the object is what counts)
    const writeAll = (chunk: Buffer): Promise<void> =>
      tee && copyOk
        ? Promise.all([
            writeTo(out, chunk),
            writeTo(tee, chunk).catch(() => {
              copyOk = false;
            }),
          ]).then(() => undefined)
        : writeTo(out, chunk);
    let writing: Promise<void> = Promise.resolve();
    let unsynced = 0;
    const limit = parsed?.size;
    // a network stream comes in 16 KiB pieces: gathered into writes of up to WRITE_BYTES (one
    // write each through the thread pool cost more than the bytes did)
    let gathered: Buffer[] = [];
    let gatheredBytes = 0;
    const writeGathered = async (): Promise<void> => {
      if (gatheredBytes === 0) return;
      const data = gathered.length === 1 ? (gathered[0] as Buffer) : Buffer.concat(gathered);
      gathered = [];
      gatheredBytes = 0;
      await writing;
      writing = writeAll(data);
      writing.catch(() => undefined); // observed when awaited; never an unhandled rejection
    };
    for await (const chunk of input) {
      // a source sending more than the key's size is wrong: stop before writing past it
      if (limit !== undefined && done + chunk.length > limit)
        throw new FerryError('checksum-mismatch', `more bytes than ${key} holds were sent`, {
          key,
          resumedFrom,
        });
      if (options.throttle) await options.throttle(chunk.length);
      options.signal?.throwIfAborted();
      hasher?.update(chunk);
      gathered.push(chunk);
      gatheredBytes += chunk.length;
      if (gatheredBytes >= WRITE_BYTES) await writeGathered();
      done += chunk.length;
      unsynced += chunk.length;
      if (unsynced >= SYNC_EVERY) {
        await writeGathered();
        unsynced = 0;
        const previous = syncing;
        syncing = writing.then(() => previous).then(() => out.datasync());
        syncing.catch(() => undefined); // observed when awaited below
      }
      options.onProgress?.(done);
    }
    await writeGathered();
    await writing;
    await syncing;
    await out.datasync();
  } catch (e) {
    const stoppable = input as { destroy?: () => void; return?: () => unknown } | undefined;
    if (stoppable?.destroy) stoppable.destroy();
    else void stoppable?.return?.();
    await syncing.catch(() => undefined); // no flush left running on a closed file
    await out.close();
    await closeCopy(tee, options.copyTo, false);
    // bad bytes, or nothing received at all: no partial copy worth keeping
    // (or from a peer that broke its protocol: its bytes are suspect)
    if (
      (e instanceof FerryError &&
        (e.code === 'checksum-mismatch' || e.code === 'protocol-error')) ||
      done === 0
    )
      await fsp.rm(tmp, { force: true });
    if (errnoCode(e) === 'ENOSPC') {
      throw new FerryError(
        'disk-full',
        `the disk is full while receiving ${key}; the partial copy is kept to resume`,
        { key },
        e,
      );
    }
    throw e;
  }
  await out.close();
  const digest = hasher?.digest('hex');
  const matches = matchesKey(key, digest, done);
  await closeCopy(tee, options.copyTo, matches && copyOk);
  if (!matches) {
    await fsp.rm(tmp, { force: true });
    throw new FerryError(
      'checksum-mismatch',
      `the copy of ${key} does not match its checksum; it was discarded`,
      { key, source, resumedFrom },
    );
  }
  // a small object's renames and modes are direct system calls (a burst receives hundreds a second)
  return moveIntoStore(repo, key, tmp, done <= SMALL_FILE_BYTES ? { ops: syncOps } : {});
}
