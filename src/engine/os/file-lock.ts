/**
 * POSIX record locks that git-annex sees (it uses fcntl F_SETLK/F_GETLK). Node has no fcntl, so
 * this calls libc through koffi. On Linux Ferry uses open-file-description locks (F_OFD_*): they
 * conflict with git-annex's POSIX locks, they also exclude other locks inside this process, and
 * closing an unrelated descriptor never drops them.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import koffi from 'koffi';
import { FerryError } from '../errors';

export type LockKind = 'shared' | 'exclusive';

interface FlockValue {
  l_type: number;
  l_whence: number;
  l_start: number;
  l_len: number;
  l_pid: number;
}

interface Fcntl {
  readonly getlk: number;
  readonly setlk: number;
  readonly rdlck: number;
  readonly wrlck: number;
  readonly unlck: number;
  call(fd: number, cmd: number, lock: FlockValue): number;
}

let cached: Fcntl | undefined;

function fcntlApi(): Fcntl {
  if (cached) return cached;
  if (process.platform === 'linux') {
    const lib = koffi.load('libc.so.6');
    koffi.struct('ferry_flock', {
      l_type: 'short',
      l_whence: 'short',
      l_start: 'int64',
      l_len: 'int64',
      l_pid: 'int',
    });
    const fn = lib.func('int fcntl(int fd, int cmd, _Inout_ ferry_flock *lock)');
    // F_OFD_GETLK / F_OFD_SETLK
    cached = {
      getlk: 36,
      setlk: 37,
      rdlck: 0,
      wrlck: 1,
      unlck: 2,
      call: (fd, cmd, l) => fn(fd, cmd, l) as number,
    };
    return cached;
  }
  if (process.platform === 'darwin') {
    const lib = koffi.load('libSystem.B.dylib');
    koffi.struct('ferry_flock', {
      l_start: 'int64',
      l_len: 'int64',
      l_pid: 'int',
      l_type: 'short',
      l_whence: 'short',
    });
    const fn = lib.func('int fcntl(int fd, int cmd, _Inout_ ferry_flock *lock)');
    cached = {
      getlk: 7,
      setlk: 8,
      rdlck: 1,
      wrlck: 3,
      unlck: 2,
      call: (fd, cmd, l) => fn(fd, cmd, l) as number,
    };
    return cached;
  }
  throw new FerryError(
    'unsupported-platform',
    `file locks are not implemented on ${process.platform}`,
  );
}

export interface HeldLock {
  readonly path: string;
  readonly kind: LockKind;
  release(): void;
}

function request(kind: LockKind, api: Fcntl): FlockValue {
  return {
    l_type: kind === 'exclusive' ? api.wrlck : api.rdlck,
    l_whence: 0,
    l_start: 0,
    l_len: 0,
    l_pid: 0,
  };
}

/**
 * Takes a lock without waiting. Returns undefined if another process (or another lock in this
 * process) holds a conflicting one. Checks afterwards that the path still names the locked file.
 */
export function tryLock(path: string, kind: LockKind = 'exclusive'): HeldLock | undefined {
  const api = fcntlApi();
  // Never through a symbolic link: a lock file is always a plain file of its own (ELOOP otherwise).
  const fd = openSync(
    path,
    constants.O_RDWR | constants.O_CREAT | constants.O_APPEND | constants.O_NOFOLLOW,
    0o666,
  );
  if (api.call(fd, api.setlk, request(kind, api)) !== 0) {
    closeSync(fd);
    return undefined;
  }
  try {
    const held = fstatSync(fd);
    const now = lstatSync(path);
    if (held.ino !== now.ino || held.dev !== now.dev) throw new Error('replaced');
  } catch {
    closeSync(fd);
    return undefined;
  }
  let isHeld = true;
  return {
    path,
    kind,
    release() {
      if (!isHeld) return;
      isHeld = false;
      closeSync(fd);
    },
  };
}

/** Waits for a lock (git-annex's F_SETLKW), polling, until it is taken, aborted or timed out. */
export async function lock(
  path: string,
  kind: LockKind = 'exclusive',
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<HeldLock> {
  const started = Date.now();
  let delay = 1;
  for (;;) {
    const held = tryLock(path, kind);
    if (held) return held;
    options.signal?.throwIfAborted();
    if (options.timeoutMs !== undefined && Date.now() - started > options.timeoutMs) {
      throw new FerryError('lock-timeout', `timed out waiting for the lock ${path}`, { path });
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 25);
  }
}

export interface LockHolder {
  readonly kind: LockKind;
  /** The holder's pid for POSIX locks; -1 when the holder uses an open-file-description lock. */
  readonly pid: number;
}

/** Who holds a lock that conflicts with `kind` (F_GETLK), or undefined when none does. */
export function lockHolder(path: string, kind: LockKind = 'exclusive'): LockHolder | undefined {
  const api = fcntlApi();
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const probe = request(kind, api);
    if (api.call(fd, api.getlk, probe) !== 0) return undefined;
    if (probe.l_type === api.unlck) return undefined;
    return { kind: probe.l_type === api.wrlck ? 'exclusive' : 'shared', pid: probe.l_pid };
  } finally {
    closeSync(fd);
  }
}

/** Takes an exclusive lock on an open descriptor, held until the descriptor is closed. */
export function lockDescriptor(fd: number): boolean {
  const api = fcntlApi();
  return api.call(fd, api.setlk, request('exclusive', api)) === 0;
}
