/**
 * `ferry add` (locked and unlocked) and the assistant killed with SIGKILL at random moments, over
 * many files of mixed sizes, then run again: every file is under its name with its bytes, and git and git-annex find
 * the repository clean (no unused content, nothing committed without its content).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { assertGitFsck, ferryOk, git, tempDir } from '../helpers/repos';

const ferryBin = resolve('bin/ferry.mjs');

/** A small deterministic generator, so a failing run can be repeated from its seed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeFiles(
  dir: string,
  from: number,
  count: number,
  random: () => number,
  digests: Map<string, string>,
): void {
  for (let i = from; i < from + count; i++) {
    const r = random();
    const size = r < 0.85 ? 1 + Math.floor(random() * 4096) : r < 0.98 ? 200_000 : 2_000_000;
    const bytes = Buffer.alloc(size, `${i}-${r}-`);
    const rel = `d${i % 17}/sub${i % 3}/file ${i}.bin`;
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), bytes);
    digests.set(rel, createHash('sha256').update(bytes).digest('hex'));
  }
}

function killedAfter(cwd: string, ms: number, args = ['add', '.']): Promise<void> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [ferryBin, ...args], { cwd, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', () => {
      clearTimeout(timer);
      done();
    });
  });
}

function assertAllThere(dir: string, digests: Map<string, string>, seed: number): void {
  const missing: string[] = [];
  for (const [rel, digest] of digests) {
    let got: string | undefined;
    try {
      got = createHash('sha256')
        .update(readFileSync(join(dir, rel)))
        .digest('hex');
    } catch {
      got = undefined;
    }
    if (got !== digest) missing.push(rel);
  }
  assert.deepEqual(missing, [], `files lost or changed (seed ${seed})`);
}

function assertClean(dir: string, seed: number): void {
  assert.equal(git(dir, 'status', '--porcelain').trim(), '', 'everything committed');
  assertGitFsck(dir);
  git(dir, 'annex', 'fsck', '--fast', '--quiet');
  const unused = git(dir, 'annex', 'unused');
  assert.doesNotMatch(unused, /Some annexed data is no longer used/, `seed ${seed}`);
}

describe('ferry add killed with -9 at random moments', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  for (const mode of ['locked', 'unlocked'] as const) {
    it(`loses no file (${mode})`, { timeout: 600_000 }, async () => {
      const seed = Number(process.env.FERRY_KILL_SEED ?? Date.now() % 100000);
      const random = prng(seed);
      const dir = join(tmp.path, mode);
      mkdirSync(dir);
      await ferryOk(dir, 'init', mode);
      if (mode === 'unlocked') git(dir, 'config', 'annex.addunlocked', 'true');
      const digests = new Map<string, string>();
      // Each round brings new files, so every kill lands in an add with work to do (an add of
      // 500 files here takes about a second, most of it after the process has started).
      for (let round = 0; round < 12; round++) {
        makeFiles(dir, round * 500, 500, random, digests);
        await killedAfter(dir, 250 + Math.floor(random() * 1200));
        assertAllThere(dir, digests, seed);
      }
      await ferryOk(dir, 'add', '.');
      assertAllThere(dir, digests, seed);
      assertClean(dir, seed);
    });
  }

  it(
    'the assistant killed while it commits a burst loses no file, and the next one commits them all',
    { timeout: 600_000 },
    async () => {
      const seed = Number(process.env.FERRY_KILL_SEED ?? Date.now() % 100000);
      const random = prng(seed);
      const dir = join(tmp.path, 'assistant');
      mkdirSync(dir);
      await ferryOk(dir, 'init', 'assistant');
      const digests = new Map<string, string>();
      for (let round = 0; round < 6; round++) {
        // the assistant starts, then a burst lands while it runs, then it is killed
        const child = spawn(process.execPath, [ferryBin, 'assistant', '--no-drives'], {
          cwd: dir,
          stdio: 'ignore',
        });
        await new Promise((r) => setTimeout(r, 1500));
        makeFiles(dir, round * 400, 400, random, digests);
        await new Promise((r) => setTimeout(r, 100 + Math.floor(random() * 1500)));
        child.kill('SIGKILL');
        await new Promise((r) => child.once('exit', r));
        assertAllThere(dir, digests, seed);
      }
      // run again: the assistant commits everything an interrupted one left
      const child = spawn(process.execPath, [ferryBin, 'assistant', '--no-drives'], {
        cwd: dir,
        stdio: 'ignore',
      });
      try {
        const deadline = Date.now() + 120_000;
        while (Date.now() < deadline && git(dir, 'status', '--porcelain').trim() !== '')
          await new Promise((r) => setTimeout(r, 250));
      } finally {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      assertAllThere(dir, digests, seed);
      assertClean(dir, seed);
    },
  );
});
