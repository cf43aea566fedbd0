/**
 * A drive plugged in: the time from the mount signal to the first byte of content landing on the
 * drive, and to "safe to unplug". Ferry: a `ferry assistant` process watching a fake UDisks2 on a
 * private dbus-daemon (FERRY_UDISKS2_BUS), and the same with a real bind mount seen through the
 * mount table. git-annex: `git annex assistant` on identical repositories with the same real bind
 * mount (it has no UDisks2 watcher without GVfs and polls the mount table). Bind mounts need root
 * with CAP_SYS_ADMIN; without it those rows are null.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { FakeUDisks2, startPrivateBus } from '../test/helpers/dbus';
import { env, ferryBin, git } from './common';

const rounds = Number(process.env.BENCH_DRIVE_ROUNDS ?? 5);
const FILES = 20;
const SIZE = 1 << 20;

type Kind = 'ferry' | 'git-annex';

function ferry(cwd: string, ...args: string[]): void {
  execFileSync(process.execPath, [ferryBin, ...args], { cwd, env, stdio: 'ignore' });
}

/** A with a remote "usb" whose repository lies on `fsRoot`/annex; returns the repository paths. */
function makeRepos(
  root: string,
  kind: Kind,
  fsRoot: string,
  tag: string,
): { a: string; d: string } {
  const a = join(root, `${kind}-${tag}-A`);
  mkdirSync(a);
  writeFileSync(join(a, 'start.txt'), 'start\n');
  const d = join(fsRoot, 'annex');
  if (kind === 'ferry') {
    ferry(a, 'init', 'laptop');
    ferry(a, 'add', '.');
    git(root, 'clone', '-q', a, d);
    ferry(d, 'init', 'drive');
  } else {
    git(a, 'init', '-q');
    git(a, 'annex', 'init', 'laptop');
    git(a, 'annex', 'add', '.');
    git(a, 'commit', '-q', '-m', 'start');
    git(root, 'clone', '-q', a, d);
    git(d, 'annex', 'init', 'drive');
  }
  git(a, 'remote', 'add', 'usb', d);
  return { a, d };
}

/** New files saved in A while the drive is away; the running assistant commits them. */
async function addContent(a: string, round: number): Promise<void> {
  const dir = join(a, `round-${round}`);
  mkdirSync(dir);
  for (let i = 0; i < FILES; i++) {
    const b = Buffer.alloc(SIZE, (round * 31 + i) & 0xff);
    b.writeUInt32LE(round * 1000 + i, 0);
    writeFileSync(join(dir, `f${i}.bin`), b);
  }
  await until(() => {
    const r = spawnSync('git', ['ls-tree', '-r', '--name-only', 'HEAD', `round-${round}/`], {
      cwd: a,
      encoding: 'utf8',
    });
    return r.stdout.split('\n').filter(Boolean).length === FILES;
  }, 120_000);
}

/** Content objects of the benchmark's size in the drive's store. */
function countObjects(d: string): number {
  try {
    return (
      readdirSync(join(d, '.git', 'annex', 'objects'), { recursive: true }) as string[]
    ).filter(
      (p) => p.split('/').length === 4 && p.endsWith(`.bin`) && p.includes(`SHA256E-s${SIZE}--`),
    ).length;
  } catch {
    return 0;
  }
}

/** Whether a byte of this round's content has landed on the drive (a partial file or an object). */
function hasFirstByte(d: string, round: number): boolean {
  const tmp = join(d, '.git', 'annex', 'tmp');
  try {
    for (const n of readdirSync(tmp)) if (statSync(join(tmp, n)).size > 0) return true;
  } catch {
    // no tmp yet
  }
  return countObjects(d) > round * FILES;
}

async function until(check: () => boolean, timeoutMs: number): Promise<number | null> {
  const t0 = process.hrtime.bigint();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return Number(process.hrtime.bigint() - t0) / 1e6;
    await sleep(1);
  }
  return null;
}

function median(xs: (number | null)[]): number | null {
  const s = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
  return s.length === 0 ? null : Math.round(s[Math.floor(s.length / 2)] as number);
}

function canBindMount(root: string): boolean {
  const a = join(root, 'probe-a');
  const b = join(root, 'probe-b');
  mkdirSync(a);
  mkdirSync(b);
  const ok = spawnSync('mount', ['--bind', a, b]).status === 0;
  if (ok) spawnSync('umount', [b]);
  return ok;
}

interface Assistant {
  child: ChildProcess;
  lines: string[];
}

function startAssistant(kind: Kind, a: string, busAddress?: string): Assistant {
  const child =
    kind === 'ferry'
      ? spawn(process.execPath, [ferryBin, 'assistant', '--json'], {
          cwd: a,
          env: { ...env, ...(busAddress ? { FERRY_UDISKS2_BUS: busAddress } : {}) },
          stdio: ['ignore', 'pipe', 'ignore'],
        })
      : spawn('git', ['annex', 'assistant', '--foreground'], {
          cwd: a,
          env,
          stdio: ['ignore', 'pipe', 'ignore'],
        });
  const lines: string[] = [];
  if (child.stdout) createInterface({ input: child.stdout }).on('line', (l) => lines.push(l));
  return { child, lines };
}

async function stopAssistant(kind: Kind, a: string, s: Assistant): Promise<void> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return;
  const exited = new Promise((r) => s.child.on('exit', r));
  if (kind === 'git-annex') spawnSync('git', ['annex', 'assistant', '--stop'], { cwd: a, env });
  else s.child.kill('SIGTERM');
  const t = setTimeout(() => s.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

/** Rounds of: content added while unplugged, plug in (`plug`), time first byte and safe-to-unplug, unplug. */
async function measure(
  kind: Kind,
  root: string,
  how: 'udisks2' | 'bind-mount',
): Promise<Record<string, unknown>> {
  const media = join(root, `${kind}-${how}-media`);
  const shelf = join(root, `${kind}-${how}-shelf`);
  mkdirSync(media);
  mkdirSync(shelf);
  const mountPoint = join(media, 'usb1');
  mkdirSync(mountPoint);
  const { a } = makeRepos(root, kind, shelf, how);
  // the repository's path as the remote knows it: on the mounted drive
  git(a, 'config', 'remote.usb.url', join(mountPoint, 'annex'));
  const d = join(mountPoint, 'annex');
  const bus = how === 'udisks2' ? startPrivateBus() : undefined;
  const fake = bus ? await FakeUDisks2.start(bus.address) : undefined;
  const plug = (withSignal: boolean): void => {
    if (how === 'udisks2') {
      rmSync(mountPoint, { recursive: true, force: true });
      renameSync(shelf, mountPoint);
      mkdirSync(shelf);
      if (withSignal) {
        fake?.plug('sdb', 'DRIVE');
        fake?.mount('sdb', mountPoint);
      }
    } else execFileSync('mount', ['--bind', shelf, mountPoint]);
  };
  const unplug = (withSignal: boolean): void => {
    if (how === 'udisks2') {
      if (withSignal) {
        fake?.unmount('sdb');
        fake?.unplug('sdb');
      }
      rmSync(shelf, { recursive: true, force: true });
      renameSync(mountPoint, shelf);
      mkdirSync(mountPoint);
    } else spawnSync('umount', [mountPoint]);
  };
  // the drive has been synced once, so both sides know each other
  plug(false);
  if (kind === 'ferry') ferry(a, 'sync');
  else git(a, 'annex', 'sync');
  unplug(false);
  process.stderr.write(`  ${kind} through ${how}\n`);
  const assistant = startAssistant(kind, a, bus?.address);
  const firstByte: (number | null)[] = [];
  const safe: (number | null)[] = [];
  try {
    await sleep(kind === 'ferry' ? 2000 : 6000);
    for (let r = 0; r < rounds; r++) {
      await addContent(a, r);
      await sleep(kind === 'ferry' ? 1000 : 3000); // let the assistant settle with the drive away
      assistant.lines.length = 0;
      plug(true);
      firstByte.push(await until(() => hasFirstByte(d, r), 90_000));
      process.stderr.write(
        `    round ${r}: first byte after ${Math.round(firstByte.at(-1) ?? -1)} ms\n`,
      );
      safe.push(
        kind === 'ferry'
          ? await until(
              () => assistant.lines.some((l) => l.includes('"drive-safe-to-unplug"')),
              120_000,
            )
          : null,
      );
      const all = await until(() => countObjects(d) >= (r + 1) * FILES, 120_000);
      unplug(true);
      if (firstByte.at(-1) === null || all === null) break; // it does not react: stop here
      await sleep(500);
    }
  } finally {
    await stopAssistant(kind, a, assistant);
    if (how === 'bind-mount') spawnSync('umount', [mountPoint]);
    fake?.stop();
    bus?.stop();
  }
  return {
    mountToFirstByteMs: median(firstByte),
    mountToSafeToUnplugMs: median(safe),
    rounds: firstByte.map((x) => (x === null ? null : Math.round(x))),
  };
}

export async function benchDrives(): Promise<Record<string, unknown>> {
  const root = mkdtempSync(join(tmpdir(), 'ferry-bench-drives-'));
  try {
    const bind = canBindMount(root);
    const ferryUdisks = await measure('ferry', root, 'udisks2');
    const ferryBind = bind ? await measure('ferry', root, 'bind-mount') : null;
    const annexBind = bind ? await measure('git-annex', root, 'bind-mount') : null;
    const ratio =
      ferryBind &&
      annexBind &&
      typeof annexBind.mountToFirstByteMs === 'number' &&
      typeof ferryUdisks.mountToFirstByteMs === 'number'
        ? Math.round((annexBind.mountToFirstByteMs / ferryUdisks.mountToFirstByteMs) * 10) / 10
        : null;
    return {
      files: FILES,
      fileBytes: SIZE,
      rounds,
      ferryUDisks2: ferryUdisks,
      ferryMountTable: ferryBind,
      gitAnnexMountTable: annexBind,
      firstByteGitAnnexOverFerryUDisks2: ratio,
      targetMs: 500,
    };
  } finally {
    spawnSync('sh', ['-c', `grep -o '${root}[^ ]*' /proc/self/mounts | xargs -r -n1 umount`]);
    rmSync(root, { recursive: true, force: true });
  }
}
