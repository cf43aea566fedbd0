/**
 * Content and changes over ssh, on the real OpenSSH server on 127.0.0.1: `ferry get` and
 * `ferry copy --to` beside `git annex get` / `git annex copy --to` on the same data (one big
 * file, many 1 MiB files), the ssh pipe's own limit in the same run, and a saved file's trip
 * A -> host -> B between two Ferry assistants (change notices) beside two git-annex assistants
 * in the same topology. Sizes: BENCH_SSH_MB (default
 * 1024) and BENCH_SSH_FILES (default 1000).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/engine/engine';
import { parcelWatch } from '../src/engine/sync/watcher';
import { startSshd } from '../test/helpers/sshd';
import { discard, env, ferry, timeIt } from './common';
import { writeFile } from './transfer';
import { median, trips } from './trips';

const bigMB = Number(process.env.BENCH_SSH_MB ?? 1024);
const files = Number(process.env.BENCH_SSH_FILES ?? 1000);

const run = (cwd: string, ...args: string[]): string =>
  execFileSync(args[0] ?? 'git', args.slice(1), {
    cwd,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });

function emptyHost(dir: string): void {
  run('/', 'git', 'init', '-q', '--bare', dir);
  run(dir, 'git', 'annex', 'init', '-q', 'target');
}

const mbps = (mb: number, s: number): number => Math.round(mb / s);

/** Two Ferry assistants syncing through one ssh host. */
async function propagation(root: string): Promise<number[]> {
  const host = join(root, 'prop-host');
  emptyHost(host);
  const a = join(root, 'prop-A');
  const b = join(root, 'prop-B');
  ferry(root, 'clone', `ferryhost:${host}`, a);
  ferry(root, 'clone', `ferryhost:${host}`, b);
  const engines = [a, b].map((d) => new Engine({ watch: parcelWatch, folders: [d], quietMs: 50 }));
  for (const e of engines) await e.start();
  await new Promise((r) => setTimeout(r, 2000));
  try {
    return await trips(a, b);
  } finally {
    for (const e of engines) await e.stop();
  }
}

/** Two git-annex assistants in the same topology (they use notifychanges too). */
async function annexPropagation(root: string): Promise<number[]> {
  const host = join(root, 'gprop-host');
  emptyHost(host);
  const clones = ['gprop-A', 'gprop-B'].map((n) => join(root, n));
  for (const d of clones) {
    run(root, 'git', 'clone', '-q', `ferryhost:${host}`, d);
    run(d, 'git', 'annex', 'init', '-q', d.slice(-6));
    // the first clone starts the history (git annex sync wants a branch to merge)
    if (d === clones[0]) {
      writeFileSync(join(d, 'start.txt'), 'start\n');
      run(d, 'git', 'annex', 'add', '-q', 'start.txt');
      run(d, 'git', 'commit', '-qm', 'start');
    }
    run(d, 'git', 'annex', 'sync', '-q');
  }
  for (const d of clones) run(d, 'git', 'annex', 'assistant');
  // the assistants' startup scans and their notifychanges sessions
  await new Promise((r) => setTimeout(r, 5000));
  try {
    return await trips(clones[0] ?? '', clones[1] ?? '');
  } finally {
    for (const d of clones) {
      try {
        run(d, 'git', 'annex', 'assistant', '--stop');
      } catch {
        // already gone
      }
    }
  }
}

export async function benchSsh(): Promise<Record<string, unknown>> {
  const sshd = await startSshd();
  process.env.GIT_SSH_COMMAND = sshd.env.GIT_SSH_COMMAND;
  Object.assign(env, { GIT_SSH_COMMAND: sshd.env.GIT_SSH_COMMAND, GIT_ANNEX_USE_GIT_SSH: '1' });
  const root = mkdtempSync(join(tmpdir(), 'ferry-bench-ssh-'));
  try {
    // the source host: one big file and many small ones, added by git-annex
    const src = join(root, 'src');
    run(root, 'git', 'init', '-q', src);
    run(src, 'git', 'annex', 'init', '-q', 'src');
    writeFile(join(src, 'big.bin'), bigMB);
    mkdirSync(join(src, 'many'));
    for (let i = 0; i < files; i++) writeFile(join(src, 'many', `f${i}.bin`), 1);
    run(src, 'git', 'annex', 'add', '--quiet', '.');
    run(src, 'git', 'commit', '-q', '-m', 'data');
    execFileSync('sync');

    // the ssh pipe's own limit, both ways
    const big = join(src, 'big.bin');
    const pipeUp = timeIt(
      'sh',
      ['-c', `ssh -F ${sshd.config} ferryhost 'cat > /dev/null' < '${big}'`],
      root,
    );
    const pipeDown = timeIt(
      'sh',
      ['-c', `ssh -F ${sshd.config} ferryhost "cat '${big}'" > /dev/null`],
      root,
    );

    const f = join(root, 'ferry');
    const g = join(root, 'annex');
    ferry(root, 'clone', `ferryhost:${src}`, f);
    run(root, 'git', 'clone', '-q', `ferryhost:${src}`, g);
    run(g, 'git', 'annex', 'init', '-q', 'annex');

    const ferryGetBig = ferry(f, 'get', '--from', 'origin', 'big.bin');
    const annexGetBig = timeIt('git', ['annex', 'get', '--quiet', 'big.bin'], g);
    const ferryGetMany = ferry(f, 'get', '--from', 'origin', 'many');
    const annexGetMany = timeIt('git', ['annex', 'get', '--quiet', 'many'], g);

    for (const [dir, label] of [
      [f, 'ferry'],
      [g, 'annex'],
    ] as const) {
      const host = join(root, `up-${label}`);
      emptyHost(host);
      run(dir, 'git', 'remote', 'add', 'up', `ferryhost:${host}`);
    }
    const ferryCopyBig = ferry(f, 'copy', '--to', 'up', 'big.bin');
    const annexCopyBig = timeIt('git', ['annex', 'copy', '--quiet', '--to', 'up', 'big.bin'], g);
    const ferryCopyMany = ferry(f, 'copy', '--to', 'up', 'many');
    const annexCopyMany = timeIt('git', ['annex', 'copy', '--quiet', '--to', 'up', 'many'], g);

    const samples = await propagation(root);
    const annexSamples = await annexPropagation(root);
    return {
      sizes: { bigMB, files, fileMB: 1 },
      sshPipe: { upMBps: mbps(bigMB, pipeUp), downMBps: mbps(bigMB, pipeDown) },
      getBig: {
        ferryMBps: mbps(bigMB, ferryGetBig.seconds),
        gitAnnexMBps: mbps(bigMB, annexGetBig),
        ratioVsGitAnnex: Number((annexGetBig / ferryGetBig.seconds).toFixed(1)),
        shareOfPipe: Number((pipeDown / ferryGetBig.seconds).toFixed(2)),
        ferryPeakRssMB: ferryGetBig.maxRssMB,
      },
      getMany: {
        ferrySeconds: ferryGetMany.seconds,
        gitAnnexSeconds: annexGetMany,
        ratioVsGitAnnex: Number((annexGetMany / ferryGetMany.seconds).toFixed(1)),
        ferryPeakRssMB: ferryGetMany.maxRssMB,
      },
      copyBig: {
        ferryMBps: mbps(bigMB, ferryCopyBig.seconds),
        gitAnnexMBps: mbps(bigMB, annexCopyBig),
        ratioVsGitAnnex: Number((annexCopyBig / ferryCopyBig.seconds).toFixed(1)),
        shareOfPipe: Number((pipeUp / ferryCopyBig.seconds).toFixed(2)),
        ferryPeakRssMB: ferryCopyBig.maxRssMB,
      },
      copyMany: {
        ferrySeconds: ferryCopyMany.seconds,
        gitAnnexSeconds: annexCopyMany,
        ratioVsGitAnnex: Number((annexCopyMany / ferryCopyMany.seconds).toFixed(1)),
        ferryPeakRssMB: ferryCopyMany.maxRssMB,
      },
      propagation: {
        savedInAToBWithContentMs: samples,
        medianMs: median(samples),
        gitAnnexAssistantsMs: annexSamples,
        gitAnnexMedianMs: median(annexSamples),
        ratioVsGitAnnex: Number(((median(annexSamples) ?? 0) / (median(samples) ?? 1)).toFixed(1)),
      },
      targets:
        'bulk >= 2x git-annex and >= 70 % of the ssh pipe; propagation median < 1 s; peak RSS < 200 MB',
    };
  } finally {
    await sshd.stop();
    discard(root);
  }
}
