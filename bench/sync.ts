/**
 * Sync latency: the time from saving a file in A until B's branch has it, for one small file
 * (median of several saves) and a burst of 1,000 files, with two `ferry assistant` processes and
 * then two `git annex assistant` processes on identical repositories. Also the idle CPU of a
 * Ferry assistant watching 10,000 files, and the assistants' memory.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env, ferryBin, git } from './common';
import { setTimeout as sleep } from 'node:timers/promises';

const saves = Number(process.env.BENCH_SAVES ?? 9);
const burst = Number(process.env.BENCH_BURST ?? 1000);
const watched = Number(process.env.BENCH_WATCHED ?? 10_000);

function treeHas(dir: string, paths: readonly string[]): boolean {
  const r = spawnSync('git', ['ls-tree', '-r', '--name-only', 'refs/heads/master'], {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const names = new Set(r.stdout.split('\n'));
  return paths.every((p) => names.has(p));
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await sleep(10);
  }
  return false;
}

function procStats(pid: number): { cpuTicks: number; rssMB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { cpuTicks: Number(fields[11]) + Number(fields[12]), rssMB: Math.round(rss / 1024) };
}

function descendants(pid: number): number[] {
  const out = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).stdout;
  const kids = out
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
  return [pid, ...kids.flatMap(descendants)];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

type Kind = 'ferry' | 'git-annex';

function makePair(root: string, kind: Kind): { a: string; b: string } {
  const a = join(root, `${kind}-A`);
  const b = join(root, `${kind}-B`);
  mkdirSync(a);
  writeFileSync(join(a, 'start.txt'), 'start\n');
  if (kind === 'ferry') {
    execFileSync(process.execPath, [ferryBin, 'init', 'A'], { cwd: a, env, stdio: 'ignore' });
    execFileSync(process.execPath, [ferryBin, 'add', '.'], { cwd: a, env, stdio: 'ignore' });
  } else {
    git(a, 'init', '-q');
    git(a, 'annex', 'init', 'A');
    git(a, 'annex', 'add', '.');
    git(a, 'commit', '-q', '-m', 'start');
  }
  git(root, 'clone', '-q', a, b);
  if (kind === 'ferry')
    execFileSync(process.execPath, [ferryBin, 'init', 'B'], { cwd: b, env, stdio: 'ignore' });
  else git(b, 'annex', 'init', 'B');
  git(a, 'remote', 'add', 'B', b);
  return { a, b };
}

function startAssistant(kind: Kind, dir: string): ChildProcess {
  return kind === 'ferry'
    ? spawn(process.execPath, [ferryBin, 'assistant'], { cwd: dir, env, stdio: 'ignore' })
    : spawn('git', ['annex', 'assistant', '--foreground'], { cwd: dir, env, stdio: 'ignore' });
}

async function stopAssistant(kind: Kind, dir: string, child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.on('exit', r));
  if (kind === 'git-annex') spawnSync('git', ['annex', 'assistant', '--stop'], { cwd: dir, env });
  else child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

async function measurePair(root: string, kind: Kind): Promise<Record<string, unknown>> {
  const { a, b } = makePair(root, kind);
  const assistants = [startAssistant(kind, a), startAssistant(kind, b)];
  try {
    await sleep(kind === 'ferry' ? 1500 : 5000); // let both finish their startup scans
    const latencies: number[] = [];
    for (let i = 0; i < saves; i++) {
      const name = `save-${i}.txt`;
      const t0 = Date.now();
      writeFileSync(join(a, name), `saved ${i}\n`);
      const ok = await until(() => treeHas(b, [name]), 120_000);
      latencies.push(ok ? Date.now() - t0 : NaN);
      await sleep(300);
    }
    mkdirSync(join(a, 'burst'));
    const names = Array.from({ length: burst }, (_, i) => `burst/f${i}.txt`);
    const t0 = Date.now();
    for (const n of names) writeFileSync(join(a, n), `${n}\n`);
    const committedInA = (await until(() => treeHas(a, names), 600_000))
      ? (Date.now() - t0) / 1000
      : NaN;
    const inB = (await until(() => treeHas(b, names), 600_000)) ? (Date.now() - t0) / 1000 : NaN;
    const pids = assistants.flatMap((c) => (c.pid ? descendants(c.pid) : []));
    const rss = pids.reduce(
      (sum, pid) =>
        sum +
        (() => {
          try {
            return procStats(pid).rssMB;
          } catch {
            return 0;
          }
        })(),
      0,
    );
    return {
      singleFileMedianMs: median(latencies),
      singleFileMs: latencies,
      burstFiles: burst,
      burstCommittedInASeconds: committedInA,
      burstInBSeconds: inB,
      processes: pids.length,
      rssMBTotal: rss,
    };
  } finally {
    await stopAssistant(kind, a, assistants[0] as ChildProcess);
    await stopAssistant(kind, b, assistants[1] as ChildProcess);
  }
}

async function idleCpu(root: string): Promise<Record<string, unknown>> {
  const dir = join(root, 'idle');
  mkdirSync(dir);
  for (let i = 0; i < watched; i++) {
    const sub = join(dir, `d${i % 100}`);
    if (i < 100) mkdirSync(sub);
    writeFileSync(join(sub, `f${i}.txt`), `${i}\n`);
  }
  execFileSync(process.execPath, [ferryBin, 'init', 'idle'], { cwd: dir, env, stdio: 'ignore' });
  execFileSync(process.execPath, [ferryBin, 'add', '.'], { cwd: dir, env, stdio: 'ignore' });
  const child = startAssistant('ferry', dir);
  try {
    await sleep(5000);
    const pid = child.pid ?? 0;
    const before = procStats(pid);
    const seconds = 10;
    await sleep(seconds * 1000);
    const after = procStats(pid);
    const hz = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
    return {
      watchedFiles: watched,
      idleCpuPercent: Number(
        (((after.cpuTicks - before.cpuTicks) / hz / seconds) * 100).toFixed(2),
      ),
      rssMB: after.rssMB,
      target: 'idle CPU under 1 %, one process',
    };
  } finally {
    await stopAssistant('ferry', dir, child);
  }
}

export async function benchSync(): Promise<Record<string, unknown>> {
  const root = mkdtempSync(join(tmpdir(), 'ferry-bench-sync-'));
  try {
    const ferry = await measurePair(root, 'ferry');
    const annex = await measurePair(root, 'git-annex');
    const idle = await idleCpu(root);
    return {
      ferry,
      gitAnnexAssistant: annex,
      ratios: {
        singleFile: Number(
          ((annex.singleFileMedianMs as number) / (ferry.singleFileMedianMs as number)).toFixed(1),
        ),
        burstInB: Number(
          ((annex.burstInBSeconds as number) / (ferry.burstInBSeconds as number)).toFixed(1),
        ),
      },
      idle,
      targets: 'single file median < 300 ms; 1,000-file burst committed and merged in B within 5 s',
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
