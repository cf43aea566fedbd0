/**
 * Adding files, beside git-annex and plain git on identical data, in the same rounds:
 *   - 10,000 small files (1-4 KiB in 100 folders): `ferry add` locked and unlocked, `git annex
 *     add`, and `git add` + `git commit` (the limit)
 *   - then, in the repositories just made: `ferry whereis`, `ferry status` and `git annex whereis`
 *   - one 1 GiB file: `ferry add`, `git annex add`, and `sha256sum` (the limit: one hash pass)
 * Sizes: BENCH_SMALL_FILES, BENCH_BIG_MB. Nothing here is asserted.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discard, env, ferry, git, timeIt } from './common';
import { field, ratio, rounds, size } from './rounds';

const smallFiles = size('BENCH_SMALL_FILES', 10_000, 500);
const bigMB = size('BENCH_BIG_MB', 1024, 64);

function makeSmallTree(dir: string, seed: Buffer): void {
  for (let i = 0; i < smallFiles; i++) {
    const sub = join(dir, `d${String(i % 100).padStart(3, '0')}`);
    if (i < 100) mkdirSync(sub, { recursive: true });
    const bytes = 1024 + ((i * 2654435761) % 3073);
    const content = Buffer.alloc(bytes);
    seed.copy(content, 0, i % 1024, (i % 1024) + Math.min(bytes, 1024));
    content.writeUInt32LE(i, 0);
    const fd = openSync(join(sub, `f${i}.dat`), 'w');
    writeSync(fd, content);
    closeSync(fd);
  }
}

function makeBigFile(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = randomBytes(8 << 20);
  for (let i = 0; i < Math.max(1, bigMB / 8); i++) {
    chunk.writeUInt32LE(i, 0);
    writeSync(fd, chunk);
  }
  closeSync(fd);
}

function setup(root: string, name: string, initWith: 'ferry' | 'git-annex' | 'git'): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  execFileSync('git', ['init', '-q'], { cwd: dir, env });
  if (initWith === 'git-annex')
    execFileSync('git', ['annex', 'init', '-q', name], { cwd: dir, env });
  if (initWith === 'ferry') ferry(dir, 'init', name);
  return dir;
}

async function smallRounds(root: string): Promise<Record<string, unknown>> {
  const seed = randomBytes(4096);
  const r = await rounds('add small files', () => {
    const locked = setup(root, 'ferry-locked', 'ferry');
    const unlocked = setup(root, 'ferry-unlocked', 'ferry');
    git(unlocked, 'config', 'annex.addunlocked', 'true');
    const annex = setup(root, 'annex', 'git-annex');
    const plain = setup(root, 'git', 'git');
    for (const d of [locked, unlocked, annex, plain]) makeSmallTree(d, seed);
    execFileSync('sync');
    const gitSeconds =
      timeIt('git', ['add', '.'], plain) + timeIt('git', ['commit', '-q', '-m', 'add'], plain);
    const ferryLocked = ferry(locked, 'add', '.');
    const ferryUnlocked = ferry(unlocked, 'add', '.');
    const annexSeconds = timeIt('git', ['annex', 'add', '--quiet', '.'], annex);
    timeIt('git', ['commit', '-q', '-m', 'add'], annex);
    // right after the adds, in the same repositories
    const whereis = ferry(locked, 'whereis');
    const status = ferry(locked, 'status');
    const annexWhereis = timeIt('git', ['annex', 'whereis'], annex);
    for (const d of [locked, unlocked, annex, plain]) discard(d);
    return {
      gitAddCommitSeconds: gitSeconds,
      ferryLockedSeconds: ferryLocked.seconds,
      ferryLockedRssMB: ferryLocked.maxRssMB,
      ferryUnlockedSeconds: ferryUnlocked.seconds,
      ferryUnlockedRssMB: ferryUnlocked.maxRssMB,
      gitAnnexAddSeconds: annexSeconds,
      ferryWhereisSeconds: whereis.seconds,
      ferryWhereisRssMB: whereis.maxRssMB,
      ferryStatusSeconds: status.seconds,
      ferryStatusRssMB: status.maxRssMB,
      gitAnnexWhereisSeconds: annexWhereis,
    };
  });
  const f = (k: string) => field(r, k);
  return {
    files: smallFiles,
    ...r,
    ratios: {
      lockedVsGitAddCommit: ratio(f('gitAddCommitSeconds'), f('ferryLockedSeconds')),
      unlockedVsGitAddCommit: ratio(f('gitAddCommitSeconds'), f('ferryUnlockedSeconds')),
      lockedVsGitAnnex: ratio(f('gitAnnexAddSeconds'), f('ferryLockedSeconds')),
      whereisVsGitAnnex: ratio(f('gitAnnexWhereisSeconds'), f('ferryWhereisSeconds')),
      statusVsGitAnnexWhereis: ratio(f('gitAnnexWhereisSeconds'), f('ferryStatusSeconds')),
    },
    target:
      'add no slower than git add + commit (ratio >= 1); whereis and status ahead of git annex whereis; RSS < 150 MB',
  };
}

async function bigRounds(root: string): Promise<Record<string, unknown>> {
  const mb = (Math.max(8, bigMB) * 1024 * 1024) / 1e6;
  const r = await rounds('add one big file', () => {
    const f = setup(root, 'ferry-big', 'ferry');
    const a = setup(root, 'annex-big', 'git-annex');
    makeBigFile(join(f, 'big.bin'));
    execFileSync('cp', [join(f, 'big.bin'), join(a, 'big.bin')]);
    execFileSync('sync');
    const sha = timeIt('sha256sum', [join(a, 'big.bin')], a);
    const ferryBig = ferry(f, 'add', 'big.bin');
    const annexBig = timeIt('git', ['annex', 'add', '--quiet', 'big.bin'], a);
    discard(f);
    discard(a);
    return {
      ferryMBps: mb / ferryBig.seconds,
      ferryRssMB: ferryBig.maxRssMB,
      gitAnnexMBps: mb / annexBig,
      sha256sumMBps: mb / sha,
    };
  });
  return {
    sizeMB: Math.round(mb),
    ...r,
    ratios: {
      vsGitAnnex: ratio(field(r, 'ferryMBps'), field(r, 'gitAnnexMBps')),
      vsSha256sum: ratio(field(r, 'ferryMBps'), field(r, 'sha256sumMBps')),
    },
    target: 'close to sha256sum (one pass over the bytes); RSS < 150 MB',
  };
}

export async function benchAdd(): Promise<Record<string, unknown>> {
  const root = mkdtempSync(join(tmpdir(), 'ferry-bench-add-'));
  try {
    return { smallFiles: await smallRounds(root), bigFile: await bigRounds(root) };
  } finally {
    discard(root);
  }
}
