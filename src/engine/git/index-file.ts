/**
 * Reads and writes `.git/index` (versions 2 and 3) directly: isomorphic-git rewrites the whole
 * index once per file it adds, which is far too slow for thousands of files. Optional extensions
 * (the cache tree, untracked cache, resolve-undo) are dropped on write; git rebuilds them.
 */
import { createHash } from 'node:crypto';
import { promises as fsp, type BigIntStats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, FerryError } from '../errors';
import { lockDescriptor, lockHolder } from '../os/file-lock';
import { setTimeout as sleep } from 'node:timers/promises';

export interface IndexEntry {
  readonly path: string;
  readonly oid: string;
  readonly mode: number;
  readonly ctimeSeconds: number;
  readonly ctimeNanoseconds: number;
  readonly mtimeSeconds: number;
  readonly mtimeNanoseconds: number;
  readonly dev: number;
  readonly ino: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  /** merge stage, 0 for normal entries */
  readonly stage: number;
}

/** Index entries need nanosecond times: always pass stats taken with `{ bigint: true }`. */
export function entryFromStats(
  path: string,
  oid: string,
  mode: number,
  st: BigIntStats,
): IndexEntry {
  const u32 = (n: bigint): number => Number(n % 0x100000000n);
  return {
    path,
    oid,
    mode,
    ctimeSeconds: u32(st.ctimeNs / 1_000_000_000n),
    ctimeNanoseconds: Number(st.ctimeNs % 1_000_000_000n),
    mtimeSeconds: u32(st.mtimeNs / 1_000_000_000n),
    mtimeNanoseconds: Number(st.mtimeNs % 1_000_000_000n),
    dev: u32(st.dev),
    ino: u32(st.ino),
    uid: u32(st.uid),
    gid: u32(st.gid),
    size: u32(st.size),
    stage: 0,
  };
}

/** Whether the work-tree file still matches the stat data the index recorded. */
export function statMatches(entry: IndexEntry, st: BigIntStats): boolean {
  const fresh = entryFromStats(entry.path, entry.oid, entry.mode, st);
  return (
    fresh.mtimeSeconds === entry.mtimeSeconds &&
    fresh.mtimeNanoseconds === entry.mtimeNanoseconds &&
    fresh.size === entry.size &&
    fresh.ino === entry.ino
  );
}

export async function readIndex(gitdir: string): Promise<IndexEntry[]> {
  let buf: Buffer;
  try {
    buf = await fsp.readFile(join(gitdir, 'index'));
  } catch {
    return [];
  }
  if (buf.toString('latin1', 0, 4) !== 'DIRC')
    throw new FerryError('git-error', 'the git index is not valid');
  const version = buf.readUInt32BE(4);
  if (version !== 2 && version !== 3) {
    throw new FerryError(
      'git-error',
      `index version ${version} is not supported; run "git update-index --index-version 2"`,
    );
  }
  const count = buf.readUInt32BE(8);
  const entries: IndexEntry[] = [];
  let pos = 12;
  for (let i = 0; i < count; i++) {
    const start = pos;
    const flags = buf.readUInt16BE(start + 60);
    const extended = (flags & 0x4000) !== 0;
    let nameStart = start + 62;
    if (extended) nameStart += 2;
    const nul = buf.indexOf(0, nameStart);
    const path = buf.toString('utf8', nameStart, nul);
    entries.push({
      ctimeSeconds: buf.readUInt32BE(start),
      ctimeNanoseconds: buf.readUInt32BE(start + 4),
      mtimeSeconds: buf.readUInt32BE(start + 8),
      mtimeNanoseconds: buf.readUInt32BE(start + 12),
      dev: buf.readUInt32BE(start + 16),
      ino: buf.readUInt32BE(start + 20),
      mode: buf.readUInt32BE(start + 24),
      uid: buf.readUInt32BE(start + 28),
      gid: buf.readUInt32BE(start + 32),
      size: buf.readUInt32BE(start + 36),
      oid: buf.toString('hex', start + 40, start + 60),
      stage: (flags >> 12) & 3,
      path,
    });
    const entryLen = nul - start;
    pos = start + Math.ceil((entryLen + 1) / 8) * 8;
  }
  // Extensions: a required one (first letter not A-Z) that we cannot carry over is an error.
  while (pos + 8 <= buf.length - 20) {
    const sig = buf.toString('latin1', pos, pos + 4);
    const size = buf.readUInt32BE(pos + 4);
    const first = sig.charCodeAt(0);
    if (first < 65 || first > 90) {
      throw new FerryError(
        'git-error',
        `the git index uses the "${sig}" extension, which Ferry cannot keep`,
      );
    }
    pos += 8 + size;
  }
  return entries;
}

function comparePaths(a: IndexEntry, b: IndexEntry): number {
  const c = Buffer.compare(Buffer.from(a.path, 'utf8'), Buffer.from(b.path, 'utf8'));
  return c !== 0 ? c : a.stage - b.stage;
}

/** Writes the index atomically through `index.lock`, as git does. */
export async function writeIndex(gitdir: string, entries: Iterable<IndexEntry>): Promise<void> {
  const sorted = [...entries].sort(comparePaths);
  const parts: Buffer[] = [];
  const header = Buffer.alloc(12);
  header.write('DIRC', 0, 'latin1');
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(sorted.length, 8);
  parts.push(header);
  for (const e of sorted) {
    const name = Buffer.from(e.path, 'utf8');
    const len = Math.ceil((62 + name.length + 1) / 8) * 8;
    const b = Buffer.alloc(len);
    b.writeUInt32BE(e.ctimeSeconds >>> 0, 0);
    b.writeUInt32BE(e.ctimeNanoseconds >>> 0, 4);
    b.writeUInt32BE(e.mtimeSeconds >>> 0, 8);
    b.writeUInt32BE(e.mtimeNanoseconds >>> 0, 12);
    b.writeUInt32BE(e.dev >>> 0, 16);
    b.writeUInt32BE(e.ino >>> 0, 20);
    b.writeUInt32BE(e.mode >>> 0, 24);
    b.writeUInt32BE(e.uid >>> 0, 28);
    b.writeUInt32BE(e.gid >>> 0, 32);
    b.writeUInt32BE(e.size >>> 0, 36);
    b.write(e.oid, 40, 'hex');
    b.writeUInt16BE(((e.stage & 3) << 12) | Math.min(name.length, 0xfff), 60);
    name.copy(b, 62);
    parts.push(b);
  }
  const body = Buffer.concat(parts);
  const sum = createHash('sha1').update(body).digest();
  const lockPath = join(gitdir, 'index.lock');
  let handle;
  try {
    handle = await openLockFile(lockPath);
  } catch (e) {
    throw new FerryError(
      'lock-busy',
      `another git process holds ${lockPath}`,
      { path: lockPath },
      e,
    );
  }
  try {
    await handle.writeFile(Buffer.concat([body, sum]));
    await handle.close();
    await fsp.rename(lockPath, join(gitdir, 'index'));
  } catch (e) {
    await handle.close().catch(() => undefined);
    await fsp.rm(lockPath, { force: true });
    throw e;
  }
}

/**
 * Creates a git-style `.lock` file (O_EXCL) and holds an fcntl lock on it while it exists, so
 * another Ferry can tell a live lock from one left by a process that was killed. A lock file
 * nobody holds and that is older than STALE_LOCK_MS is taken over; a fresh one (git's own
 * locks carry no fcntl lock) is waited for.
 */
export const STALE_LOCK_MS = 2_000;

export async function openLockFile(lockPath: string, waitMs = 5_000): Promise<FileHandle> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const handle = await fsp.open(lockPath, 'wx', 0o644);
      lockDescriptor(handle.fd);
      return handle;
    } catch (e) {
      if (errnoCode(e) !== 'EEXIST') throw e;
      const st = await fsp.stat(lockPath).catch(() => undefined);
      if (st && !lockHolder(lockPath) && Date.now() - st.mtimeMs > STALE_LOCK_MS) {
        await fsp.rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw e;
      await sleep(25);
    }
  }
}
