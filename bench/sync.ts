/**
 * Sync latency: the time from saving a file in A until B's branch has it, for one small file
 * (median of several saves), and for a burst of 1,000 files until B's tree has them and until
 * every one of them has its content in B (what the user waits for), with two `ferry assistant`
 * processes and then two `git annex assistant` processes on identical repositories, in the same
 * rounds. Also how soon an assistant watches a 10,000-file repository after it starts (its
 * "watching" line, and a file saved then committed), its CPU over the next 30 s, and memory.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discard, env, ferryBin, git, settleDisk } from './common';
import { field, quick, ratio, rounds, size } from './rounds';
import { phases } from './trace-summary';
import { setTimeout as sleep } from 'node:timers/promises';

const saves = size('BENCH_SAVES', 9, 3);
const burst = size('BENCH_BURST', 1000, 100);
const watched = size('BENCH_WATCHED', 10_000, 2_000);
const idleSeconds = size('BENCH_IDLE_SECONDS', 30, 3);

function treeHas(dir: string, paths: readonly string[]): boolean {
  const r = spawnSync('git', ['ls-tree', '-r', '--name-only', 'refs/heads/master'], {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const names = new Set(r.stdout.split('\n'));
  return paths.every((p) => names.has(p));
}

/** The burst files in B whose content is there (their bytes read through the link). */
function withContent(dir: string, names: readonly string[], done: Set<string>): boolean {
  for (const n of names) {
    if (done.has(n)) continue;
    try {
      if (readFileSync(join(dir, n), 'utf8') === `${n}\n`) done.add(n);
    } catch {
      // not there yet
    }
  }
  return done.size === names.length;
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await sleep(10);
  }
  return false;
}

function procStats(pid: number): { cpuTicks: number; sysTicks: number; rssMB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return {
    cpuTicks: Number(fields[11]) + Number(fields[12]),
    sysTicks: Number(fields[12]),
    rssMB: Math.round(rss / 1024),
  };
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

/** The phases of the last Ferry burst, per side (reported beside the figures). */
let lastBurstPhases: Record<string, unknown> = {};

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

/** Extra Node arguments for Ferry's assistants (FERRY_ASSISTANT_NODE_ARGS: `--cpu-prof`, say). */
const nodeArgs = (process.env.FERRY_ASSISTANT_NODE_ARGS ?? '').split(' ').filter(Boolean);

function startAssistant(kind: Kind, dir: string, trace?: string): ChildProcess {
  return kind === 'ferry'
    ? spawn(process.execPath, [...nodeArgs, ferryBin, 'assistant'], {
        cwd: dir,
        env: trace ? { ...env, FERRY_TRACE: trace } : env,
        stdio: 'ignore',
      })
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

async function measurePair(root: string, kind: Kind): Promise<Record<string, number>> {
  const { a, b } = makePair(root, kind);
  // each Ferry side's spans (src/engine/trace.ts): where the burst's time went
  const traces = { a: join(root, `trace-${kind}-a.jsonl`), b: join(root, `trace-${kind}-b.jsonl`) };
  for (const t of Object.values(traces)) rmSync(t, { force: true });
  const assistants = [startAssistant(kind, a, traces.a), startAssistant(kind, b, traces.b)];
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
    settleDisk();
    const names = Array.from({ length: burst }, (_, i) => `burst/f${i}.txt`);
    // the assistants' CPU over the burst: less noisy than its time on a shared disk
    const cpuOf = (c: ChildProcess, sys = false): number => {
      try {
        return c.pid ? procStats(c.pid)[sys ? 'sysTicks' : 'cpuTicks'] : NaN;
      } catch {
        return NaN;
      }
    };
    const cpuBefore = assistants.map((c) => cpuOf(c));
    const sysBefore = assistants.map((c) => cpuOf(c, true));
    const t0 = Date.now();
    for (const n of names) writeFileSync(join(a, n), `${n}\n`);
    const committedInA = (await until(() => treeHas(a, names), 600_000))
      ? (Date.now() - t0) / 1000
      : NaN;
    const inB = (await until(() => treeHas(b, names), 600_000)) ? (Date.now() - t0) / 1000 : NaN;
    const have = new Set<string>();
    const contentInB = (await until(() => withContent(b, names, have), 600_000))
      ? (Date.now() - t0) / 1000
      : NaN;
    const hz = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
    const cpuSeconds = assistants.map((c, i) => (cpuOf(c) - (cpuBefore[i] ?? NaN)) / hz);
    const sysSeconds = assistants.map((c, i) => (cpuOf(c, true) - (sysBefore[i] ?? NaN)) / hz);
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
    if (kind === 'ferry') {
      await sleep(300); // the traces are written in the background
      lastBurstPhases = {
        a: phases(traces.a, t0, Date.now()),
        b: phases(traces.b, t0, Date.now()),
      };
    }
    return {
      singleFileMedianMs: median(latencies),
      burstCommittedInASeconds: committedInA,
      burstInBTreeSeconds: inB,
      burstContentInBSeconds: contentInB,
      burstCpuSecondsA: cpuSeconds[0] ?? NaN,
      burstCpuSecondsB: cpuSeconds[1] ?? NaN,
      burstSystemCpuSecondsA: sysSeconds[0] ?? NaN,
      burstSystemCpuSecondsB: sysSeconds[1] ?? NaN,
      processes: pids.length,
      rssMBTotal: rss,
    };
  } finally {
    await stopAssistant(kind, a, assistants[0] as ChildProcess);
    await stopAssistant(kind, b, assistants[1] as ChildProcess);
  }
}

/** Resolves with the ms since `t0` when the child prints a line containing `text`. */
function lineSeen(child: ChildProcess, text: string, t0: number): Promise<number> {
  return new Promise((resolveSeen) => {
    if (!child.stdout) return resolveSeen(NaN);
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (line.includes(text)) resolveSeen(Date.now() - t0);
    });
    child.on('exit', () => resolveSeen(NaN));
  });
}

async function watchStart(root: string): Promise<Record<string, number>> {
  const dir = join(root, 'idle');
  discard(dir);
  mkdirSync(dir);
  for (let i = 0; i < watched; i++) {
    const sub = join(dir, `d${i % 100}`);
    if (i < 100) mkdirSync(sub);
    writeFileSync(join(sub, `f${i}.txt`), `${i}\n`);
  }
  execFileSync(process.execPath, [ferryBin, 'init', 'idle'], { cwd: dir, env, stdio: 'ignore' });
  execFileSync(process.execPath, [ferryBin, 'add', '.'], { cwd: dir, env, stdio: 'ignore' });
  execFileSync('sync');
  const t0 = Date.now();
  const child = spawn(process.execPath, [ferryBin, 'assistant', '--no-drives'], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    const watchingMs = await lineSeen(child, 'watching', t0);
    writeFileSync(join(dir, 'probe.txt'), 'probe\n');
    const committed = await until(() => treeHas(dir, ['probe.txt']), 60_000);
    const probeCommittedMs = committed ? Date.now() - t0 : NaN;
    await sleep(2000); // the probe's own commit and sync settle
    const pid = child.pid ?? 0;
    const before = procStats(pid);
    await sleep(idleSeconds * 1000);
    const after = procStats(pid);
    const hz = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
    return {
      watchingMs,
      probeCommittedMs,
      cpuPercentAfter: ((after.cpuTicks - before.cpuTicks) / hz / idleSeconds) * 100,
      rssMB: after.rssMB,
      processes: descendants(pid).length,
    };
  } finally {
    await stopAssistant('ferry', dir, child);
    discard(dir);
  }
}

export async function benchSync(): Promise<Record<string, unknown>> {
  const root = mkdtempSync(join(tmpdir(), 'ferry-bench-sync-'));
  try {
    const pairs = await rounds('assistants A -> B', async (round) => {
      for (const d of ['ferry-A', 'ferry-B', 'git-annex-A', 'git-annex-B']) discard(join(root, d));
      const ferry = await measurePair(root, 'ferry');
      // --quick: git-annex's assistants in the first round only (they take half a minute each);
      // BENCH_SKIP_GIT_ANNEX=1 leaves them out, for working on Ferry's figures
      const annex =
        (quick && round > 0) || process.env.BENCH_SKIP_GIT_ANNEX === '1'
          ? Object.fromEntries(Object.keys(ferry).map((k) => [k, NaN]))
          : await measurePair(root, 'git-annex');
      const out: Record<string, number> = {};
      for (const [k, v] of Object.entries(ferry)) out[`ferry.${k}`] = v;
      for (const [k, v] of Object.entries(annex)) out[`gitAnnex.${k}`] = v;
      return out;
    });
    const f = (k: string) => field(pairs, k);
    const start = await rounds('watching a big repository', () => watchStart(root));
    return {
      watchedFiles: watched,
      burstFiles: burst,
      ...pairs,
      ratios: {
        singleFile: ratio(f('gitAnnex.singleFileMedianMs'), f('ferry.singleFileMedianMs')),
        burstInBTree: ratio(f('gitAnnex.burstInBTreeSeconds'), f('ferry.burstInBTreeSeconds')),
        burstContentInB: ratio(
          f('gitAnnex.burstContentInBSeconds'),
          f('ferry.burstContentInBSeconds'),
        ),
      },
      burstPhasesLastRound: lastBurstPhases,
      watchStart: {
        ...start,
        target: `watching within 1 s of starting; no CPU in the ${idleSeconds} s after; one process`,
      },
      targets:
        'single file median < 300 ms; a 1,000-file burst in B with its content within 5 s; RSS < 150 MB per process',
    };
  } finally {
    // BENCH_KEEP=1 keeps the last round's repositories, for reading their logs afterwards
    if (process.env.BENCH_KEEP === '1') process.stderr.write(`kept ${root}\n`);
    else discard(root);
  }
}
