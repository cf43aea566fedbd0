/**
 * `npm run bench`: Ferry beside git-annex on identical data, JSON on stdout.
 *   - add 10,000 small files (1-4 KiB in 100 directories): ferry add vs git annex add vs git add
 *   - add one 1 GiB file: ferry add vs git annex add
 * Sizes can be reduced with BENCH_SMALL_FILES and BENCH_BIG_MB. Nothing here is asserted.
 * Ferry runs as the installed command (bin/ferry.mjs, the bundle `npm install` builds).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env, ferry, timeIt } from './common';

const smallFiles = Number(process.env.BENCH_SMALL_FILES ?? 10_000);
const bigMB = Number(process.env.BENCH_BIG_MB ?? 1024);

function makeSmallTree(dir: string, seed: Buffer): void {
  for (let i = 0; i < smallFiles; i++) {
    const sub = join(dir, `d${String(i % 100).padStart(3, '0')}`);
    if (i < 100) mkdirSync(sub, { recursive: true });
    const size = 1024 + ((i * 2654435761) % 3073);
    const content = Buffer.alloc(size);
    seed.copy(content, 0, i % 1024, (i % 1024) + Math.min(size, 1024));
    content.writeUInt32LE(i, 0);
    const fd = openSync(join(sub, `f${i}.dat`), 'w');
    writeSync(fd, content);
    closeSync(fd);
  }
}

function makeBigFile(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = randomBytes(8 << 20);
  for (let i = 0; i < bigMB / 8; i++) {
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

export function benchAdd(): Promise<Record<string, unknown>> {
  const results: Record<string, unknown> = {};
  const root = mkdtempSync(join(tmpdir(), 'ferry-bench-add-'));
  try {
    const seed = randomBytes(4096);
    // --- small files
    const fSmall = setup(root, 'ferry-small', 'ferry');
    const aSmall = setup(root, 'annex-small', 'git-annex');
    const gSmall = setup(root, 'git-small', 'git');
    for (const d of [fSmall, aSmall, gSmall]) makeSmallTree(d, seed);
    execFileSync('sync');
    const ferrySmall = ferry(fSmall, 'add', '.');
    const annexSmall = timeIt('git', ['annex', 'add', '--quiet', '.'], aSmall);
    const gitSmall =
      timeIt('git', ['add', '.'], gSmall) + timeIt('git', ['commit', '-q', '-m', 'add'], gSmall);
    results.smallFiles = {
      files: smallFiles,
      ferrySeconds: ferrySmall.seconds,
      ferryFilesPerSecond: Math.round(smallFiles / ferrySmall.seconds),
      ferryPeakRssMB: ferrySmall.maxRssMB,
      gitAnnexAddSeconds: annexSmall,
      gitAnnexFilesPerSecond: Math.round(smallFiles / annexSmall),
      plainGitAddCommitSeconds: gitSmall,
      ratioVsGitAnnex: Number((annexSmall / ferrySmall.seconds).toFixed(1)),
      target: 'ratioVsGitAnnex >= 20, peak RSS < 200 MB',
    };
    rmSync(fSmall, { recursive: true, force: true });
    rmSync(aSmall, { recursive: true, force: true });
    rmSync(gSmall, { recursive: true, force: true });

    // --- one big file
    const fBig = setup(root, 'ferry-big', 'ferry');
    const aBig = setup(root, 'annex-big', 'git-annex');
    makeBigFile(join(fBig, 'big.bin'));
    execFileSync('cp', [join(fBig, 'big.bin'), join(aBig, 'big.bin')]);
    execFileSync('sync');
    const ferryBig = ferry(fBig, 'add', 'big.bin');
    const annexBig = timeIt('git', ['annex', 'add', '--quiet', 'big.bin'], aBig);
    const mb = (bigMB * 1024 * 1024) / 1e6;
    results.bigFile = {
      sizeMB: Math.round(mb),
      ferrySeconds: ferryBig.seconds,
      ferryMBps: Math.round(mb / ferryBig.seconds),
      ferryPeakRssMB: ferryBig.maxRssMB,
      gitAnnexAddSeconds: annexBig,
      gitAnnexMBps: Math.round(mb / annexBig),
      ratioVsGitAnnex: Number((annexBig / ferryBig.seconds).toFixed(1)),
      target: 'ferryMBps >= 600, peak RSS < 200 MB',
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return Promise.resolve(results);
}
