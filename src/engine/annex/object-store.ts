/**
 * The content store under `.git/annex/objects` (or a bare repository's `annex/objects`).
 * New content always goes to `.git/annex/tmp/` first, is verified against its key, and only
 * then is renamed into `objects/` and frozen (0444 file in a 0555 key directory).
 */
import { createHash } from 'node:crypto';
import {
  constants,
  createReadStream,
  lstatSync,
  promises as fsp,
  statSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { errnoCode, FerryError } from '../errors';
import { lockHolder, tryLock, type HeldLock, type LockKind } from '../os/file-lock';
import { asyncOps, readSizeFor, syncOps, type FsOps } from '../os/fs-ops';
import { assertSafeParents, makeParentDirs } from '../os/safe-path';
import { expectedDigest, hashAlgorithm, isUsableKey, parseKey } from './key';
import { keyFile, objectRelPath } from './paths';
import { assertPresent, type Repository } from './repository';

export type Progress = (bytesDone: number) => void;

/** The object paths to look at, in the order git-annex looks. */
export function objectCandidates(
  repo: Pick<Repository, 'annexdir' | 'isBare'>,
  key: string,
): string[] {
  const mixed = join(repo.annexdir, objectRelPath(key, 'mixed'));
  const lower = join(repo.annexdir, objectRelPath(key, 'lower'));
  return repo.isBare ? [lower, mixed] : [mixed, lower];
}

export type StoreRepo = Pick<Repository, 'annexdir' | 'isBare' | 'untrusted'>;

function unsafeObject(key: string, path: string, why: string): FerryError {
  return new FerryError('unsafe-path', `the object for ${key} is refused: ${why}`, { key, path });
}

/**
 * Where the object is, if present: a regular file (never a symbolic link). In an untrusted
 * repository every directory from its annex folder down must be a real directory too.
 * Undefined for a key that cannot name a file.
 */
export async function findObject(
  repo: StoreRepo,
  key: string,
  ops?: FsOps,
): Promise<string | undefined> {
  if (!isUsableKey(key)) return undefined;
  for (const path of objectCandidates(repo, key)) {
    // one direct system call each (a thread-pool round trip cost more than the lookup)
    const st = ops ? await ops.lstat(path).catch(() => undefined) : lstatQuiet(path);
    if (!st?.isFile()) continue;
    if (repo.untrusted && !isSafeInAnnex(repo, path)) continue;
    return path;
  }
  return undefined;
}

/** A stat that costs no thrown error when the file is not there (the usual answer here). */
function statQuiet(path: string, ops: FsOps): Promise<Stats | undefined> {
  if (ops === syncOps) return Promise.resolve(statSync(path, { throwIfNoEntry: false }));
  return ops.stat(path).catch(() => undefined);
}

function lstatQuiet(path: string): Stats | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined; // not a folder on the way, or not readable: not there
  }
}

export function annexRel(repo: Pick<Repository, 'annexdir'>, path: string): string {
  return path.slice(repo.annexdir.length + 1);
}

function isSafeInAnnex(repo: Pick<Repository, 'annexdir'>, path: string): boolean {
  try {
    assertAnnexDir(repo);
    assertSafeParents(repo.annexdir, annexRel(repo, path));
    return true;
  } catch {
    return false;
  }
}

/** An untrusted repository's annex folder itself must be a real directory. */
export function assertAnnexDir(repo: Pick<Repository, 'annexdir'>): void {
  assertSafeParents(dirname(repo.annexdir), `${basename(repo.annexdir)}/x`);
}

/**
 * Opens an object for reading without following a symbolic link, and checks that what was
 * opened is a regular file (in an untrusted repository, one whose directories are all real).
 */
export async function openObject(
  repo: StoreRepo,
  key: string,
  path: string,
): Promise<fsp.FileHandle> {
  if (repo.untrusted && !isSafeInAnnex(repo, path))
    throw unsafeObject(key, path, 'a directory on its path is a symbolic link or not a directory');
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    if (errnoCode(e) === 'ELOOP') throw unsafeObject(key, path, 'it is a symbolic link');
    throw e;
  }
  const st = await handle.stat();
  if (!st.isFile()) {
    await handle.close();
    throw unsafeObject(key, path, 'it is not a regular file');
  }
  return handle;
}

export function tmpPath(repo: Pick<Repository, 'annexdir'>, key: string): string {
  return join(repo.annexdir, 'tmp', keyFile(key));
}

/** A streaming hasher for a key's variety (undefined for WORM/URL keys, which cannot be verified). */
export function keyHasher(key: string): ReturnType<typeof createHash> | undefined {
  const parsed = parseKey(key);
  const algorithm = parsed ? hashAlgorithm(parsed.variety) : undefined;
  return algorithm ? createHash(algorithm) : undefined;
}

/** Whether `digestHex` and `size` are what the key promises. */
export function matchesKey(key: string, digestHex: string | undefined, size: number): boolean {
  const parsed = parseKey(key);
  if (!parsed) return false;
  if (parsed.size !== undefined && parsed.size !== size) return false;
  const expected = expectedDigest(parsed);
  return expected === undefined || expected === digestHex;
}

/** Hashes a file with the key's algorithm while streaming it. */
export async function hashFile(
  path: string,
  algorithm: string,
  options: { signal?: AbortSignal; onProgress?: Progress; ops?: FsOps } = {},
): Promise<{ digest: string; size: number }> {
  const hash = createHash(algorithm);
  let size = 0;
  const ops = options.ops ?? asyncOps;
  const st = await ops.stat(path);
  if (st.size <= 1 << 20) {
    const data = await ops.readFile(path);
    hash.update(data);
    options.onProgress?.(data.length);
    return { digest: hash.digest('hex'), size: data.length };
  }
  const stream = createReadStream(path, {
    highWaterMark: readSizeFor(st.size),
    signal: options.signal,
  });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
    options.onProgress?.(size);
  }
  return { digest: hash.digest('hex'), size };
}

/** Verifies a file against its key. Keys that carry no checksum only have their size checked. */
export async function verifyFile(
  key: string,
  path: string,
  options: { signal?: AbortSignal; onProgress?: Progress } = {},
): Promise<boolean> {
  const parsed = parseKey(key);
  if (!parsed) return false;
  const algorithm = hashAlgorithm(parsed.variety);
  if (!algorithm) {
    const st = await fsp.stat(path);
    return parsed.size === undefined || parsed.size === st.size;
  }
  const { digest, size } = await hashFile(path, algorithm, options);
  return matchesKey(key, digest, size);
}

async function chmodQuiet(path: string, mode: number, ops: FsOps = asyncOps): Promise<void> {
  try {
    await ops.chmod(path, mode);
  } catch {
    // a filesystem without permissions (or the file is gone): nothing to do
  }
}

/**
 * Renames a verified file in `.git/annex/tmp` into the store and freezes it. If the object is
 * already present the temporary file is removed. Returns the object path.
 */
export async function moveIntoStore(
  repo: StoreRepo,
  key: string,
  verifiedTmp: string,
  options: { freeze?: boolean; ops?: FsOps } = {},
): Promise<string> {
  const ops = options.ops ?? asyncOps;
  const [dest = '', other = ''] = objectCandidates(repo, key);
  const keyDir = dirname(dest);
  if (repo.untrusted) {
    // Every directory down to the key's is made or checked one at a time, never through a link.
    assertPresent({ gitdir: dirname(repo.annexdir) });
    assertAnnexDir(repo);
    // down to the hash folder here; the key's folder is made below, and checked if it was there
    await makeParentDirs(repo.annexdir, annexRel(repo, keyDir));
  }
  const isNewDir = await makeKeyDir(repo, keyDir, ops);
  if (repo.untrusted && !isNewDir) assertSafeParents(repo.annexdir, annexRel(repo, keyDir), true);
  // A new key directory can only hide an object kept in the other layout.
  const existing = isNewDir
    ? (await statQuiet(other, ops))
      ? other
      : undefined
    : await findObject(repo, key, ops);
  if (existing) {
    await ops.rm(verifiedTmp);
    if (isNewDir) await ops.rmdir(keyDir).catch(() => undefined);
    return existing;
  }
  if (!isNewDir) await chmodQuiet(keyDir, 0o755, ops);
  if (options.freeze !== false) await chmodQuiet(verifiedTmp, 0o444, ops);
  await ops.rename(verifiedTmp, dest);
  await chmodQuiet(keyDir, 0o555, ops);
  return dest;
}

/**
 * Hash folders (`objects/XX/YY`) this process has seen exist, per store. The mixed layout has a
 * million of them, so nearly every new key needs a new one: trying the key's folder first then
 * failed for almost every file of an add, three system calls and a thrown error wasted each.
 */
const knownHashDirs = new Map<string, Set<string>>();

function hashDirsOf(annexdir: string): Set<string> {
  let set = knownHashDirs.get(annexdir);
  if (!set || set.size > 200_000) knownHashDirs.set(annexdir, (set = new Set()));
  return set;
}

/** Makes the key's folder; false when it was there already. Never remakes a vanished repository. */
async function makeKeyDir(repo: StoreRepo, keyDir: string, ops: FsOps): Promise<boolean> {
  const hashDir = dirname(keyDir);
  const known = hashDirsOf(repo.annexdir);
  if (!known.has(hashDir)) {
    try {
      await ops.mkdir(hashDir);
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'ENOENT') {
        assertPresent({ gitdir: dirname(repo.annexdir) });
        await ops.mkdir(hashDir, true);
      } else if (code !== 'EEXIST') throw e;
    }
    known.add(hashDir);
  }
  try {
    await ops.mkdir(keyDir);
    return true;
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'EEXIST') return false;
    if (code !== 'ENOENT') throw e;
    // the hash folder went away since it was seen
    known.delete(hashDir);
    assertPresent({ gitdir: dirname(repo.annexdir) });
    await ops.mkdir(hashDir, true);
    await ops.mkdir(keyDir);
    return true;
  }
}

async function withWritableDir<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  await chmodQuiet(dir, 0o755);
  try {
    return await fn();
  } finally {
    await chmodQuiet(dir, 0o555);
  }
}

/**
 * Takes the content lock (`KEY.lck` beside the object). Exclusive to drop; shared while relying
 * on this copy. Undefined when the object is absent or the lock is held by someone else.
 */
export async function lockContent(
  repo: StoreRepo,
  key: string,
  kind: LockKind,
): Promise<{ lock: HeldLock; objectPath: string } | undefined> {
  const objectPath = await findObject(repo, key);
  if (!objectPath) return undefined;
  const keyDir = dirname(objectPath);
  const held = await withWritableDir(keyDir, () =>
    Promise.resolve(tryLock(`${objectPath}.lck`, kind)),
  );
  if (!held) return undefined;
  return { lock: held, objectPath };
}

export function contentLockHolder(objectPath: string): ReturnType<typeof lockHolder> {
  return lockHolder(`${objectPath}.lck`, 'exclusive');
}

/**
 * Removes an object under the exclusive content lock. `check` runs while the lock is held and
 * must throw to prevent the drop (for example when too few other copies are verified).
 */
export async function dropObject(
  repo: StoreRepo,
  key: string,
  check: () => Promise<void>,
): Promise<boolean> {
  const locked = await lockContent(repo, key, 'exclusive');
  if (!locked) {
    if (!(await findObject(repo, key))) return false;
    throw new FerryError(
      'lock-busy',
      `${key} is locked by another process (it may be relying on this copy)`,
      { key },
    );
  }
  const { lock, objectPath } = locked;
  const keyDir = dirname(objectPath);
  try {
    await check();
    await withWritableDir(keyDir, async () => {
      await fsp.rm(objectPath, { force: true });
      await fsp.rm(`${objectPath}.lck`, { force: true });
    });
    await fsp.rmdir(keyDir).catch(() => undefined);
    await fsp.rmdir(dirname(keyDir)).catch(() => undefined);
    await fsp.rmdir(dirname(dirname(keyDir))).catch(() => undefined);
  } finally {
    lock.release();
  }
  return true;
}

/** What a stat tells about whether a file was changed (mtime, size, inode, ctime). */
export function sameFile(a: Stats, b: Stats, options: { ignoreCtime?: boolean } = {}): boolean {
  return (
    a.size === b.size &&
    a.mtimeMs === b.mtimeMs &&
    a.ino === b.ino &&
    a.dev === b.dev &&
    (options.ignoreCtime === true || a.ctimeMs === b.ctimeMs)
  );
}

export const COPYFILE_CLONE = constants.COPYFILE_FICLONE;
