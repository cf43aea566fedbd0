/**
 * Transfer info files and their locks, as git-annex writes them:
 *   .git/annex/transfer/{upload,download}/<uuid>/<keyFile>        "<start>s[ <bytes>]\n<file>\n"
 *   .git/annex/transfer/{upload,download}/<uuid>/lck.<keyFile>    fcntl write lock while running
 *   .git/annex/transfer/failed/{upload,download}/<uuid>/<keyFile> the info of a failed transfer
 * A transfer is running only while its lck file is locked; an info file without a held lock is
 * stale. Claiming is non-blocking, as in git-annex.
 */
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  promises as fsp,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { makeParentDirs } from '../os/safe-path';
import { assertPresent } from './repository';
import { fileKey, keyFile } from './paths';
import {
  formatTimestamp,
  nowTimestamp,
  parseTimestamp,
  timestampToMillis,
  type Timestamp,
} from './timestamp';
import { errnoCode } from '../errors';
import { keySize } from './key';
import type { TransferSnapshot } from '../../shared/transfers';
import { lockHolder, tryLock, type HeldLock } from '../os/file-lock';

export type Direction = 'upload' | 'download';

export interface TransferFileInfo {
  readonly direction: Direction;
  /** the other repository's UUID */
  readonly uuid: string;
  readonly key: string;
  readonly startedAt: number;
  readonly bytesDone: number | undefined;
  readonly file: string;
  /** pid of a POSIX-lock holder (git-annex); -1 for an open-file-description holder (Ferry) */
  readonly pid: number | undefined;
}

export function transferDir(annexdir: string, direction: Direction, uuid: string): string {
  return join(annexdir, 'transfer', direction, uuid.replace(/\//g, ''));
}

export function infoPath(
  annexdir: string,
  direction: Direction,
  uuid: string,
  key: string,
): string {
  return join(transferDir(annexdir, direction, uuid), keyFile(key));
}

export function lockPath(
  annexdir: string,
  direction: Direction,
  uuid: string,
  key: string,
): string {
  return join(transferDir(annexdir, direction, uuid), `lck.${keyFile(key)}`);
}

export function failedPath(
  annexdir: string,
  direction: Direction,
  uuid: string,
  key: string,
): string {
  return join(annexdir, 'transfer', 'failed', direction, uuid.replace(/\//g, ''), keyFile(key));
}

export function formatInfo(started: Timestamp, bytes: number | undefined, file: string): string {
  return `${formatTimestamp(started)}${bytes === undefined ? '' : ` ${bytes}`}\n${file}\n`;
}

export function parseInfo(
  text: string,
): { startedAt: number; bytesDone: number | undefined; file: string } | undefined {
  const nl = text.indexOf('\n');
  if (nl < 0) return undefined;
  const [ts, bytes] = text.slice(0, nl).split(' ');
  const t = parseTimestamp(ts ?? '');
  if (t === undefined) return undefined;
  const rest = text.slice(nl + 1);
  return {
    startedAt: timestampToMillis(t),
    bytesDone: bytes === undefined ? undefined : Number(bytes),
    file: rest.endsWith('\n') ? rest.slice(0, -1) : rest,
  };
}

/** Whether some process holds the transfer (git-annex or Ferry, here or elsewhere). */
export function isTransferRunning(
  annexdir: string,
  direction: Direction,
  uuid: string,
  key: string,
): boolean {
  return lockHolder(lockPath(annexdir, direction, uuid, key)) !== undefined;
}

/** An info file, read only when it is a small regular file of its own (never through a link). */
function readSmallFile(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > 64 * 1024) throw new Error(`${path} is not a transfer info file`);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** Writes a small file through a temporary name and a rename: a link in its place is replaced, never followed. */
/** Removes a file; one that is not there is fine. */
function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT') throw e;
  }
}

async function replaceFile(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}-${Math.random().toString(36).slice(2, 8)}.tmp`;
  await fsp.writeFile(tmp, text, { flag: 'wx' });
  await fsp.rename(tmp, path);
}

/** Content up to this size is claimed by its lock alone, without an info file. */
export const LOCK_ONLY_BYTES = 256 * 1024;

/**
 * A claimed transfer: the lock is held, and (for content over LOCK_ONLY_BYTES) the info file
 * written, until `finish`.
 */
export class TransferClaim {
  private lastWritten = 0;
  /** whether an info file was written (a small transfer holds only its lock) */
  private hasInfo = false;

  private constructor(
    readonly annexdir: string,
    readonly direction: Direction,
    readonly uuid: string,
    readonly key: string,
    readonly file: string,
    private readonly started: Timestamp,
    private readonly lock: HeldLock,
  ) {}

  /** Claims without waiting; undefined when another process holds this transfer. */
  static async claim(
    annexdir: string,
    direction: Direction,
    uuid: string,
    key: string,
    file: string,
  ): Promise<TransferClaim | undefined> {
    const dir = transferDir(annexdir, direction, uuid);
    assertPresent({ gitdir: dirname(annexdir) });
    // One directory at a time, never through a link: the other side's annex is untrusted.
    await makeParentDirs(annexdir, `${dir.slice(annexdir.length + 1)}/x`);
    const lock = tryLock(lockPath(annexdir, direction, uuid, key), 'exclusive');
    if (!lock) return undefined;
    const started = nowTimestamp();
    const claim = new TransferClaim(annexdir, direction, uuid, key, file, started, lock);
    // small content moves in milliseconds: its held lock says it is running (to git-annex too,
    // which excludes by the lock), an info file would only be made and removed again
    const size = keySize(key);
    if (size !== undefined && size <= LOCK_ONLY_BYTES) return claim;
    claim.hasInfo = true;
    const tmp = join(
      dir,
      `${keyFile(key).slice(0, 100)}${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    );
    // small files of this machine's own folders: direct system calls (a burst of small
    // transfers claims hundreds a second, and each pool round trip waited behind fsyncs)
    writeFileSync(tmp, formatInfo(started, undefined, file));
    renameSync(tmp, infoPath(annexdir, direction, uuid, key));
    return claim;
  }

  /** Rewrites the info file with progress, at most every 1 % (git-annex's rule) and 250 ms. */
  async progress(bytes: number, size: number | undefined): Promise<void> {
    const step = size ? Math.max(1, size / 100) : 100 * 1024;
    const now = Date.now();
    if (!this.hasInfo || bytes - this.lastWritten < step || now - this.lastTime < 250) return;
    this.lastWritten = bytes;
    this.lastTime = now;
    await replaceFile(
      infoPath(this.annexdir, this.direction, this.uuid, this.key),
      formatInfo(this.started, bytes, this.file),
    ).catch(() => undefined);
  }

  private lastTime = 0;

  /** Ends the transfer: removes the info and lock files; records or clears the failure. */
  async finish(succeeded: boolean): Promise<void> {
    const failed = failedPath(this.annexdir, this.direction, this.uuid, this.key);
    try {
      if (succeeded) unlinkQuiet(failed);
      else {
        assertPresent({ gitdir: dirname(this.annexdir) });
        await makeParentDirs(this.annexdir, failed.slice(this.annexdir.length + 1));
        await replaceFile(failed, formatInfo(this.started, undefined, this.file));
      }
      if (this.hasInfo) unlinkQuiet(infoPath(this.annexdir, this.direction, this.uuid, this.key));
      unlinkQuiet(lockPath(this.annexdir, this.direction, this.uuid, this.key));
    } finally {
      this.lock.release();
    }
  }
}

type ParsedInfo = NonNullable<ReturnType<typeof parseInfo>>;

/** The files of one direction's folder, by the UUID of the other side (its subfolder). */
function* filesIn(base: string): Generator<{ uuid: string; name: string }> {
  let uuids: string[];
  try {
    uuids = readdirSync(base);
  } catch {
    return;
  }
  for (const uuid of uuids) {
    let names: string[];
    try {
      names = readdirSync(join(base, uuid));
    } catch {
      continue;
    }
    for (const name of names) yield { uuid, name };
  }
}

/** An info file parsed; undefined for a link, a folder or an unreadable file (a remote's folder is untrusted). */
function readInfo(path: string): ParsedInfo | undefined {
  try {
    return parseInfo(readSmallFile(path));
  } catch {
    return undefined;
  }
}

/**
 * The info files of one direction's folder (`transfer/<direction>` or
 * `transfer/failed/<direction>`), by the UUID of the other side.
 */
function* infoFiles(
  base: string,
): Generator<{ uuid: string; name: string; read: () => ParsedInfo | undefined }> {
  for (const { uuid, name } of filesIn(base))
    if (!name.startsWith('lck.'))
      yield { uuid, name, read: () => readInfo(join(base, uuid, name)) };
}

/**
 * Every transfer whose lock is held, by anyone, with its info file's details when it has one
 * (a small one has none). Stale info files, whose lock nobody holds, are skipped.
 */
export function listRunningTransfers(annexdir: string): TransferFileInfo[] {
  const out: TransferFileInfo[] = [];
  for (const direction of ['upload', 'download'] as const) {
    const base = join(annexdir, 'transfer', direction);
    for (const { uuid, name } of filesIn(base)) {
      if (!name.startsWith('lck.')) continue;
      const holder = lockHolder(join(base, uuid, name));
      if (!holder) continue;
      const key = fileKey(name.slice(4));
      // a small transfer has no info file: its key and holder are what is known
      const info = readInfo(join(base, uuid, name.slice(4)));
      out.push({
        direction,
        uuid,
        key,
        ...(info ?? { startedAt: Date.now(), bytesDone: undefined, file: '' }),
        pid: holder.pid,
      });
    }
  }
  return out;
}

/**
 * Whether some process is moving `key` in `direction` here, with any repository: its lock
 * file, looked up by name under each repository's folder (listRunningTransfers reads every
 * transfer's lock and info, and was asked before each of a burst's thousand transfers).
 */
export function isKeyInTransfer(annexdir: string, direction: Direction, key: string): boolean {
  const base = join(annexdir, 'transfer', direction);
  let uuids: string[];
  try {
    uuids = readdirSync(base, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch {
    return false; // nothing has moved that way here yet
  }
  const name = `lck.${keyFile(key)}`;
  return uuids.some((uuid) => lockHolder(join(base, uuid, name)) !== undefined);
}

/** Failed transfers recorded in `transfer/failed/`. */
export function listFailedTransfers(
  annexdir: string,
): Omit<TransferFileInfo, 'pid' | 'bytesDone'>[] {
  const out: Omit<TransferFileInfo, 'pid' | 'bytesDone'>[] = [];
  for (const direction of ['upload', 'download'] as const) {
    for (const { uuid, name, read } of infoFiles(join(annexdir, 'transfer', 'failed', direction))) {
      const info = read();
      if (info)
        out.push({
          direction,
          uuid,
          key: fileKey(name),
          startedAt: info.startedAt,
          file: info.file,
        });
    }
  }
  return out;
}

/** A transfer another process runs (or that failed), as the UI and the CLI show it. */
export function externalSnapshot(
  t: {
    direction: Direction;
    uuid: string;
    key: string;
    file: string;
    startedAt: number;
    bytesDone?: number | undefined;
    pid?: number | undefined;
  },
  state: 'running' | 'failed',
  remote: string,
): TransferSnapshot {
  return {
    id: `external:${t.direction === 'upload' ? 'up' : 'down'}:${t.uuid}:${t.key}`,
    direction: t.direction,
    key: t.key,
    file: t.file,
    remote,
    remoteUuid: t.uuid,
    state,
    bytesDone: t.bytesDone ?? 0,
    size: keySize(t.key) ?? null,
    rate: 0,
    etaSeconds: null,
    reason:
      t.pid !== undefined && t.pid > 0
        ? `run by process ${t.pid}`
        : state === 'running'
          ? 'run by another process'
          : null,
    nextRetryAt: null,
    attempts: 0,
    queuedAt: t.startedAt,
    startedAt: t.startedAt,
    finishedAt: null,
    isExternal: true,
    via: null,
    resumedFrom: 0,
    nextHops: [],
  };
}
