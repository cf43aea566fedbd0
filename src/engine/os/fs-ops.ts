/**
 * The file operations the store uses, in two flavours with one interface: `asyncOps` (the libuv
 * thread pool) and `syncOps` (direct system calls wrapped in settled promises). Metadata work on
 * many small files is several times faster with syncOps, because every thread-pool round trip
 * costs more than the system call itself; bulk data always streams asynchronously.
 */
import * as fs from 'node:fs';

type BigStats = fs.BigIntStats;

export interface FsOps {
  stat(path: string): Promise<fs.Stats>;
  lstat(path: string): Promise<fs.Stats>;
  lstatBig(path: string): Promise<BigStats>;
  statBig(path: string): Promise<BigStats>;
  rename(from: string, to: string): Promise<void>;
  mkdir(path: string, recursive?: boolean): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  rm(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
  link(from: string, to: string): Promise<void>;
  copyFile(from: string, to: string, mode: number): Promise<void>;
  readFile(path: string): Promise<Buffer>;
  readlink(path: string): Promise<string>;
  symlink(target: string, path: string): Promise<void>;
}

export const asyncOps: FsOps = {
  stat: (p) => fs.promises.stat(p),
  lstat: (p) => fs.promises.lstat(p),
  lstatBig: (p) => fs.promises.lstat(p, { bigint: true }),
  statBig: (p) => fs.promises.stat(p, { bigint: true }),
  rename: (a, b) => fs.promises.rename(a, b),
  mkdir: async (p, recursive) => {
    await fs.promises.mkdir(p, { recursive });
  },
  chmod: (p, m) => fs.promises.chmod(p, m),
  rm: (p) => fs.promises.rm(p, { force: true }),
  rmdir: (p) => fs.promises.rmdir(p),
  link: (a, b) => fs.promises.link(a, b),
  copyFile: (a, b, m) => fs.promises.copyFile(a, b, m),
  readFile: (p) => fs.promises.readFile(p),
  readlink: (p) => fs.promises.readlink(p),
  symlink: (t, p) => fs.promises.symlink(t, p),
};

function settled<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => Promise<R> {
  return (...args) => {
    try {
      return Promise.resolve(fn(...args));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  };
}

export const syncOps: FsOps = {
  stat: settled((p: string) => fs.statSync(p)),
  lstat: settled((p: string) => fs.lstatSync(p)),
  lstatBig: settled((p: string) => fs.lstatSync(p, { bigint: true })),
  statBig: settled((p: string) => fs.statSync(p, { bigint: true })),
  rename: settled((a: string, b: string) => fs.renameSync(a, b)),
  mkdir: settled((p: string, recursive?: boolean) => {
    fs.mkdirSync(p, { recursive });
  }),
  chmod: settled((p: string, m: number) => fs.chmodSync(p, m)),
  rm: settled((p: string) => fs.rmSync(p, { force: true })),
  rmdir: settled((p: string) => fs.rmdirSync(p)),
  link: settled((a: string, b: string) => fs.linkSync(a, b)),
  copyFile: settled((a: string, b: string, m: number) => fs.copyFileSync(a, b, m)),
  readFile: settled((p: string) => fs.readFileSync(p)),
  readlink: settled((p: string) => fs.readlinkSync(p)),
  symlink: settled((t: string, p: string) => fs.symlinkSync(t, p)),
};

/** Files up to this size are handled with syncOps. */
export const SMALL_FILE_BYTES = 1 << 20;

/**
 * The read size for streaming a file of `remaining` bytes (4 MiB at most). A read stream whose
 * reads come back short copies each chunk into a buffer of the size read, so a 1 MiB file read
 * with 4 MiB reads cost a 4 MiB buffer, a second one and a copy: a copy of 1,000 such files
 * spent a fifth of its time collecting those buffers.
 */
export function readSizeFor(remaining: number | undefined): number {
  const most = 4 << 20;
  if (remaining === undefined || !Number.isFinite(remaining)) return most;
  return Math.max(64 << 10, Math.min(most, remaining));
}
