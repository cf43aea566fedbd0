/** What the benchmarks share: a fixed git identity, timing a command, running the installed `ferry`. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
};

export const ferryBin = resolve('bin/ferry.mjs');
const report = resolve('bench/report-usage.mjs');

/**
 * Writes out what the file system holds in memory before a measured step. On an ext4 without a
 * journal (these machines) a new file or folder is not given an inode deleted in the last
 * minute (five more while its inode table block is unwritten): every create walks past them.
 * After a previous round's thousands of files were removed, a create or mkdir took 600-900 us
 * instead of 30-70 (measured, 3,000 files: 1.2 s on a disk with no recent removals, 6.0 s
 * after them). So the bench removes nothing until it ends (`discard`), and writes out before
 * each step; the tools' own removals during the step still count.
 */
export function settleDisk(): void {
  spawnSync('sync', { stdio: 'ignore', timeout: 120_000 });
}

const trashes = new Set<string>();
let discarded = 0;

/**
 * Sets a round's folder aside, to be removed when the bench ends (`emptyTrash`): a rename,
 * which frees no inode (see settleDisk). Removed at once where it cannot be renamed.
 */
export function discard(path: string): void {
  const trash = join(dirname(path), `.bench-trash-${process.pid}`);
  try {
    mkdirSync(trash, { recursive: true });
    renameSync(path, join(trash, `${discarded++}-${basename(path)}`));
    trashes.add(trash);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
      rmSync(path, { recursive: true, force: true, maxRetries: 5 });
  }
}

/** Removes what `discard` set aside (at the end of the bench, and if it stops early). */
export function emptyTrash(): void {
  for (const t of trashes) rmSync(t, { recursive: true, force: true, maxRetries: 5 });
  trashes.clear();
}
process.on('exit', emptyTrash);

/** Wall seconds of a command; throws with its stderr when it fails. */
export function timeIt(cmd: string, args: string[], cwd: string): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    cwd,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.toString()}`);
  return Number(process.hrtime.bigint() - t) / 1e9;
}

/** Runs `ferry` as a user would (bin/ferry.mjs) and reports its wall time and peak RSS; its output is dropped. */
export function ferry(cwd: string, ...args: string[]): { seconds: number; maxRssMB: number } {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', report, ferryBin, ...args], {
    cwd,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 1 << 26,
  });
  const parsed = JSON.parse(r.stderr.trim().split('\n').pop() ?? '{}') as {
    code: number;
    seconds: number;
    maxRssMB: number;
  };
  if (parsed.code !== 0) throw new Error(`ferry ${args.join(' ')} failed: ${r.stderr}`);
  // wall time from outside, node's start included, as the commands it is compared with
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  return { seconds, maxRssMB: Math.round(parsed.maxRssMB) };
}

/** Runs git with the benchmarks' identity; its output, stderr dropped. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
}
