/**
 * Moving content to a local clone: one 1 GiB file and 1,000 files of 1 MiB, with
 * `ferry copy --to`, `git annex copy --to` and plain `cp` (no verification) on the same data.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discard, env, ferry, ferryBin, timeIt } from './common';
import { field, ratio, rounds, size } from './rounds';

const bigMB = size('BENCH_BIG_MB', 1024, 64);
const files = size('BENCH_FILES', 1000, 100);

/** A file of `mb` MiB of random bytes (each MiB distinct). */
export function writeFile(path: string, mb: number): void {
  const fd = openSync(path, 'w');
  const chunk = randomBytes(1 << 20);
  for (let i = 0; i < mb; i++) {
    chunk.writeUInt32LE(i, 0);
    writeSync(fd, chunk);
  }
  closeSync(fd);
}

function pair(
  root: string,
  name: string,
  kind: 'ferry' | 'git-annex',
  make: (dir: string) => void,
): { a: string; b: string } {
  const a = join(root, `${name}-A`);
  const b = join(root, `${name}-B`);
  mkdirSync(a);
  make(a);
  if (kind === 'ferry') {
    execFileSync(process.execPath, [ferryBin, 'init', 'A'], { cwd: a, env, stdio: 'ignore' });
    execFileSync(process.execPath, [ferryBin, 'add', '.'], { cwd: a, env, stdio: 'ignore' });
  } else {
    execFileSync('git', ['init', '-q'], { cwd: a, env });
    execFileSync('git', ['annex', 'init', 'A'], { cwd: a, env, stdio: 'ignore' });
    execFileSync('git', ['annex', 'add', '--quiet', '.'], { cwd: a, env, stdio: 'ignore' });
    execFileSync('git', ['commit', '-q', '-m', 'add'], { cwd: a, env });
  }
  execFileSync('git', ['clone', '-q', a, b], { env });
  if (kind === 'ferry')
    execFileSync(process.execPath, [ferryBin, 'init', 'B'], { cwd: b, env, stdio: 'ignore' });
  else execFileSync('git', ['annex', 'init', 'B'], { cwd: b, env, stdio: 'ignore' });
  execFileSync('git', ['remote', 'add', 'B', b], { cwd: a, env });
  execFileSync('sync');
  return { a, b };
}

function one(root: string, label: string, mb: number, count: number): Record<string, number> {
  const make = (dir: string): void => {
    for (let i = 0; i < count; i++) writeFile(join(dir, `f${i}.bin`), mb);
  };
  const f = pair(root, `${label}-ferry`, 'ferry', make);
  const ferryRun = ferry(f.a, 'copy', '--to', 'B', '.');
  discard(f.b);
  const g = pair(root, `${label}-annex`, 'git-annex', make);
  const annexSeconds = timeIt('git', ['annex', 'copy', '--quiet', '--to', 'B', '.'], g.a);
  const cpDest = join(root, `${label}-cp`);
  mkdirSync(cpDest);
  const cpSeconds = timeIt('sh', ['-c', `cp -rL ${join(f.a, '.')}/f* ${cpDest}/ && sync`], f.a);
  discard(root + `/${label}-ferry-A`);
  discard(g.a);
  discard(g.b);
  discard(cpDest);
  return {
    ferrySeconds: ferryRun.seconds,
    ferryPeakRssMB: ferryRun.maxRssMB,
    gitAnnexCopySeconds: annexSeconds,
    cpSeconds,
  };
}

async function measured(
  root: string,
  label: string,
  mb: number,
  count: number,
): Promise<Record<string, unknown>> {
  const r = await rounds(`copy ${label}`, () => one(root, label, mb, count));
  const totalMB = (mb * count * (1 << 20)) / 1e6;
  const f = (k: string) => field(r, k);
  return {
    totalMB: Math.round(totalMB),
    files: count,
    ...r,
    ferryMBps: Math.round(totalMB / f('ferrySeconds').median),
    cpMBps: Math.round(totalMB / f('cpSeconds').median),
    ratios: {
      vsGitAnnex: ratio(f('gitAnnexCopySeconds'), f('ferrySeconds')),
      vsCp: ratio(f('cpSeconds'), f('ferrySeconds')),
    },
  };
}

export async function benchTransfer(): Promise<Record<string, unknown>> {
  const root = mkdtempSync(join(tmpdir(), 'ferry-bench-transfer-'));
  try {
    return {
      bigFile: {
        ...(await measured(root, 'big', bigMB, 1)),
        target: 'as fast as cp (vsCp >= 1) with every byte verified',
      },
      manyFiles: {
        ...(await measured(root, 'many', 1, files)),
        target: 'within 2x of cp (vsCp >= 0.5), every byte verified and durable; RSS < 150 MB',
      },
    };
  } finally {
    discard(root);
  }
}
