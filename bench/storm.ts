/**
 * `npm run bench -- storm`: quiet after the storm, at five repositories: A with remotes B and C,
 * D behind B, E behind C (D and E reach A only through them), a `ferry assistant` on each.
 * BENCH_STORM_OPS random changes (400; 80 with --quick) spread over the five: new files,
 * edits, renames, deletes, and the same file edited in two repositories at once; two
 * assistants are killed with SIGKILL on the way and started again. Then, from the last change:
 *   - restSeconds: until everything is at rest: the five trees agree, every file's content is
 *     in every repository, the git-annex branches agree, and nothing moves for QUIET_S;
 *   - transfers per file and per key (every version of a file is a key, which should reach the
 *     other four repositories once: 4 per key at best): those that moved bytes and those that
 *     ended "done" with nothing to move (the content was there already), from the assistants'
 *     own lines;
 *   - git-annex commits per file, in A and in all five.
 * The random changes are the same in every round (a seeded generator).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { discard, env, ferryBin, git } from './common';
import { rounds, size } from './rounds';

const OPS = size('BENCH_STORM_OPS', 400, 80);
const SEED_FILES = size('BENCH_STORM_SEED', 100, 30);
/** how long nothing may move for the repositories to count as at rest */
const QUIET_S = 10;
/** how long the bench waits for rest after the last change */
const LIMIT_S = Number(process.env.BENCH_STORM_LIMIT_S ?? 300);
const NAMES = ['A', 'B', 'C', 'D', 'E'] as const;
type Name = (typeof NAMES)[number];
/** each repository's remotes: D behind B, E behind C */
const REMOTES: Record<Name, Array<[string, Name]>> = {
  A: [
    ['B', 'B'],
    ['C', 'C'],
  ],
  B: [
    ['origin', 'A'],
    ['D', 'D'],
  ],
  C: [
    ['origin', 'A'],
    ['E', 'E'],
  ],
  D: [['origin', 'B']],
  E: [['origin', 'C']],
};
const CLONED_FROM: Partial<Record<Name, Name>> = { B: 'A', C: 'A', D: 'B', E: 'C' };

/** mulberry32: the same changes in every round */
function generator(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Running {
  child: ChildProcess;
  lines: string[];
}

function startAssistant(dir: string, lines: string[]): Running {
  // BENCH_KEEP: each assistant's spans (src/engine/trace.ts) beside its folder, to look at
  const trace = process.env.BENCH_KEEP ? { FERRY_TRACE: `${dir}.trace.jsonl` } : {};
  const child = spawn(process.execPath, [ferryBin, 'assistant', '--no-drives'], {
    cwd: dir,
    env: { ...env, FERRY_PEERS: 'off', ...trace },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let rest = '';
  const take = (d: Buffer): void => {
    rest += d.toString();
    const parts = rest.split('\n');
    rest = parts.pop() ?? '';
    lines.push(...parts);
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  return { child, lines };
}

async function stop(r: Running, signal: NodeJS.Signals): Promise<void> {
  if (r.child.exitCode !== null || r.child.signalCode !== null) return;
  const exited = new Promise((res) => r.child.once('exit', res));
  r.child.kill(signal);
  const t = setTimeout(() => r.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

function makeRepos(root: string): Record<Name, string> {
  const dirs = Object.fromEntries(NAMES.map((n) => [n, join(root, n)])) as Record<Name, string>;
  mkdirSync(join(dirs.A, 'storm'), { recursive: true });
  for (let i = 0; i < SEED_FILES; i++)
    writeFileSync(join(dirs.A, 'storm', `seed-${i}.txt`), `seed ${i}\n`.repeat(1 + (i % 50)));
  spawnSync('git', ['init', '-q', '-b', 'main', dirs.A], { env });
  const ferry = (dir: string, ...args: string[]): void => {
    const r = spawnSync(process.execPath, [ferryBin, ...args], { cwd: dir, env, stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`ferry ${args.join(' ')} failed in ${dir}`);
  };
  ferry(dirs.A, 'init', 'A');
  ferry(dirs.A, 'add', '.');
  for (const n of ['B', 'C', 'D', 'E'] as const) {
    git(root, 'clone', '-q', dirs[CLONED_FROM[n] as Name], dirs[n]);
    ferry(dirs[n], 'init', n);
  }
  for (const n of NAMES)
    for (const [remote, to] of REMOTES[n])
      if (remote !== 'origin') git(dirs[n], 'remote', 'add', remote, dirs[to]);
  return dirs;
}

/** The files of a work tree's storm folder (what a change can pick). */
function filesIn(dir: string): string[] {
  try {
    return readdirSync(join(dir, 'storm')).filter((f) => f.endsWith('.txt'));
  } catch {
    return [];
  }
}

/** Writes as an editor saves: a new file in place of the old one (never through a link). */
function save(path: string, text: string): void {
  rmSync(path, { force: true });
  writeFileSync(path, text);
}

/** The storm: OPS changes over the five, two assistants killed and started again on the way. */
async function storm(
  dirs: Record<Name, string>,
  running: Record<Name, Running>,
  lines: Record<Name, string[]>,
): Promise<number> {
  const rand = generator(17);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const body = (tag: string): string => `${tag}\n${'x'.repeat(Math.floor(rand() * 8000))}\n`;
  const kills: Record<number, Name> = {
    [Math.floor(OPS * 0.3)]: 'B',
    [Math.floor(OPS * 0.5)]: 'E',
  };
  const restarts: Record<number, Name> = {
    [Math.floor(OPS * 0.6)]: 'B',
    [Math.floor(OPS * 0.75)]: 'E',
  };
  let made = 0;
  for (let op = 0; op < OPS; op++) {
    const killed = kills[op];
    if (killed) await stop(running[killed], 'SIGKILL');
    const restarted = restarts[op];
    if (restarted) running[restarted] = startAssistant(dirs[restarted], lines[restarted]);
    const where = pick(NAMES);
    const dir = join(dirs[where], 'storm');
    const files = filesIn(dirs[where]);
    const r = rand();
    try {
      if (r < 0.4 || files.length < 5) save(join(dir, `new-${op}.txt`), body(`new ${op}`));
      else if (r < 0.65) save(join(dir, pick(files)), body(`edit ${op} in ${where}`));
      else if (r < 0.8) renameSync(join(dir, pick(files)), join(dir, `moved-${op}.txt`));
      else if (r < 0.9) unlinkSync(join(dir, pick(files)));
      else {
        // the same file changed in two repositories at once: a conflict to resolve
        const other = pick(NAMES.filter((n) => n !== where));
        const f = pick(files);
        save(join(dir, f), body(`conflict ${op} in ${where}`));
        if (existsSync(join(dirs[other], 'storm', f)))
          save(join(dirs[other], 'storm', f), body(`conflict ${op} in ${other}`));
      }
      made++;
    } catch {
      // the file went meanwhile (an assistant moved it): no change this time
    }
    await sleep(Math.floor(rand() * 40));
  }
  return made;
}

/** A locked file's link reaches its object; an unlocked file holds its bytes, not a pointer. */
function hasContent(path: string): boolean {
  try {
    if (statSync(path).size > 200) return true;
    return !readFileSync(path, 'utf8').startsWith('/annex/objects/');
  } catch {
    return false;
  }
}

/** Each repository's branch tips, and how many files of the tree lack content there. */
function state(dirs: Record<Name, string>): { key: string; converged: boolean; missing: number } {
  const tips: string[] = [];
  const trees = new Set<string>();
  const annexTrees = new Set<string>();
  let missing = 0;
  for (const n of NAMES) {
    const rev = (ref: string): string =>
      spawnSync('git', ['rev-parse', '-q', '--verify', ref], {
        cwd: dirs[n],
        encoding: 'utf8',
      }).stdout.trim();
    tips.push(rev('refs/heads/main'), rev('refs/heads/git-annex'));
    trees.add(rev('refs/heads/main^{tree}'));
    annexTrees.add(rev('refs/heads/git-annex^{tree}'));
    const listed = spawnSync('git', ['ls-tree', '-r', '--name-only', 'refs/heads/main'], {
      cwd: dirs[n],
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    }).stdout;
    for (const f of listed.split('\n').filter(Boolean))
      if (!hasContent(join(dirs[n], f))) missing++;
  }
  return {
    key: `${tips.join(',')}/${missing}`,
    converged: trees.size === 1 && annexTrees.size === 1 && missing === 0,
    missing,
  };
}

/** Transfers of an assistant's lines that ended done: with bytes moved, and with nothing to move. */
function transfersOf(all: readonly string[]): { moved: number; already: number } {
  let moved = 0;
  let already = 0;
  for (const l of all) {
    const m = /\bdone\s+.* (\d+)% {2}\[/.exec(l);
    if (!m) continue;
    if (Number(m[1]) === 0) already++;
    else moved++;
  }
  return { moved, already };
}

async function measure(): Promise<Record<string, number>> {
  const root = mkdtempSync(join(tmpdir(), 'ferry-bench-storm-'));
  const dirs = makeRepos(root);
  const lines = Object.fromEntries(NAMES.map((n) => [n, [] as string[]])) as Record<Name, string[]>;
  const running = Object.fromEntries(
    NAMES.map((n) => [n, startAssistant(dirs[n], lines[n])]),
  ) as Record<Name, Running>;
  try {
    await sleep(3000); // startup scans and the first syncs
    const made = await storm(dirs, running, lines);
    const lastChange = Date.now();
    let last = state(dirs);
    let lastMove = Date.now();
    while (Date.now() - lastChange < LIMIT_S * 1000) {
      await sleep(500);
      const now = state(dirs);
      if (now.key !== last.key) lastMove = Date.now();
      last = now;
      if (last.converged && Date.now() - lastMove >= QUIET_S * 1000) break;
    }
    const files = spawnSync('git', ['ls-tree', '-r', '--name-only', 'refs/heads/main'], {
      cwd: dirs.A,
      encoding: 'utf8',
    })
      .stdout.split('\n')
      .filter(Boolean).length;
    // every version of every file is a key: its content should reach the other four once
    const keys = git(dirs.A, 'ls-tree', '-r', '--name-only', 'refs/heads/git-annex')
      .split('\n')
      .filter((p) => /^[0-9a-f]{3}\/[0-9a-f]{3}\/.*\.log$/.test(p)).length;
    const commits = NAMES.map((n) =>
      Number(git(dirs[n], 'rev-list', '--count', 'refs/heads/git-annex').trim()),
    );
    const moved = NAMES.map((n) => transfersOf(lines[n]));
    const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
    const per = (x: number): number => Number((x / Math.max(1, files)).toFixed(2));
    return {
      changes: made,
      files,
      converged: last.converged ? 1 : 0,
      missingContentAtEnd: last.missing,
      restSeconds: last.converged ? (lastMove - lastChange) / 1000 : NaN,
      keys,
      transfersMovedPerKey: Number((sum(moved.map((m) => m.moved)) / Math.max(1, keys)).toFixed(2)),
      transfersAlreadyTherePerKey: Number(
        (sum(moved.map((m) => m.already)) / Math.max(1, keys)).toFixed(2),
      ),
      transfersMovedPerFile: per(sum(moved.map((m) => m.moved))),
      transfersAlreadyTherePerFile: per(sum(moved.map((m) => m.already))),
      annexCommitsPerFileInA: per(commits[0] ?? 0),
      annexCommitsPerFileAllFive: per(sum(commits)),
    };
  } finally {
    for (const n of NAMES) await stop(running[n], 'SIGTERM');
    if (process.env.BENCH_KEEP) {
      for (const n of NAMES) writeFileSync(join(root, `assistant-${n}.log`), lines[n].join('\n'));
      process.stderr.write(`  kept ${root}\n`);
    } else discard(root);
  }
}

export async function benchStorm(): Promise<Record<string, unknown>> {
  return {
    changes: OPS,
    quietSeconds: QUIET_S,
    limitSeconds: LIMIT_S,
    ...(await rounds('storm at five repositories', measure)),
    target: 'at rest within 30 s of the last change; no key sent where it is or is arriving',
  };
}
