/**
 * Pushing without git: the commits a host lacks are found without walking the whole history
 * (checked against `git rev-list`), and one session's pack and ref updates are accepted by the
 * real `git receive-pack` (then `git fsck` finds the host complete).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gitContext } from '../../../src/engine/git/context';
import { newCommits, reaches } from '../../../src/engine/git/new-commits';
import type { ServiceConnection } from '../../../src/engine/git/pack-service';
import { sendPack } from '../../../src/engine/git/send-pack';

const root = mkdtempSync(join(tmpdir(), 'ferry-send-pack-'));
after(() => rmSync(root, { recursive: true, force: true }));

let clock = 1_700_000_000;
function git(dir: string, args: string[], date?: number): string {
  const at = `${date ?? clock++} +0000`;
  return execFileSync('git', ['-C', dir, ...args], {
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_DATE: at,
      GIT_COMMITTER_DATE: at,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    },
  }).trim();
}

function commitFile(dir: string, name: string, body: string, date?: number): string {
  writeFileSync(join(dir, name), body);
  git(dir, ['add', name]);
  git(dir, ['commit', '-q', '-m', name], date);
  return git(dir, ['rev-parse', 'HEAD']);
}

/** A repository with a long main, a side branch merged twice, and a skewed commit. */
function history(): { dir: string; main: string; side: string; old: string } {
  const dir = join(root, `h${clock}`);
  execFileSync('git', ['init', '-q', '-b', 'main', dir]);
  for (let i = 0; i < 60; i++) commitFile(dir, `f${i % 7}.txt`, `main ${i}\n`);
  const old = git(dir, ['rev-parse', 'HEAD~30']);
  git(dir, ['checkout', '-q', '-b', 'side', 'HEAD~10']);
  for (let i = 0; i < 5; i++) commitFile(dir, `s${i}.txt`, `side ${i}\n`);
  // a commit dated before its parent (another machine's clock is behind)
  commitFile(dir, 'skew.txt', 'skewed\n', 1_600_000_000);
  const side = git(dir, ['rev-parse', 'HEAD']);
  git(dir, ['checkout', '-q', 'main']);
  git(dir, ['merge', '-q', '--no-ff', '-m', 'merge side', 'side']);
  for (let i = 0; i < 3; i++) commitFile(dir, `after${i}.txt`, `after ${i}\n`);
  return { dir, main: git(dir, ['rev-parse', 'HEAD']), side, old };
}

function revList(dir: string, tips: string[], haves: string[]): string[] {
  const out = git(dir, ['rev-list', ...tips, ...(haves.length ? ['--not', ...haves] : [])]);
  return out ? out.split('\n').sort() : [];
}

/** `git receive-pack` on a local repository, as a service connection. */
function receivePack(dir: string): ServiceConnection {
  const child = spawn('git', ['receive-pack', dir], { stdio: ['pipe', 'pipe', 'pipe'] });
  let said = '';
  child.stderr.on('data', (d: Buffer) => (said += d.toString()));
  return {
    input: child.stdout as AsyncIterable<Buffer>,
    write: (bytes) =>
      new Promise<void>((resolve, reject) =>
        child.stdin.write(bytes, (e) => (e ? reject(e) : resolve())),
      ),
    end: () => child.stdin.end(),
    close: () => child.kill(),
    problem: () => said,
  };
}

describe('the commits a host lacks', () => {
  it('are what git rev-list says, for tips against haves', async () => {
    const h = history();
    const ctx = gitContext(h.dir, join(h.dir, '.git'), false);
    const cases: [string[], string[]][] = [
      [[h.main], []],
      [[h.main], [h.old]],
      [[h.main], [h.side]],
      [[h.main], [h.main]],
      [[h.side], [h.old]],
      [
        [h.main, h.side],
        [h.old, git(h.dir, ['rev-parse', 'main~2'])],
      ],
    ];
    for (const [tips, haves] of cases) {
      const got = (await newCommits(ctx, tips, haves)).commits.sort();
      const want = revList(h.dir, tips, haves);
      // a skewed clock may add commits they have; it never leaves out one they lack
      for (const c of want)
        assert.ok(got.includes(c), `${c} is missing for ${tips.join(',')} ^${haves.join(',')}`);
      // without skew among the haves, no more than that (the skewed side tip is one of them)
      if (!haves.includes(h.side))
        assert.equal(got.length, want.length, `${got.length} listed where ${want.length} are new`);
    }
  });
});

describe('whether one commit is in the history of another', () => {
  it('is what git merge-base --is-ancestor says, and a missing commit is an error', async () => {
    const h = history();
    const ctx = gitContext(h.dir, join(h.dir, '.git'), false);
    const revs = [h.main, h.side, h.old, 'main~1', 'main~3', 'side~2', 'main~40'].map((r) =>
      git(h.dir, ['rev-parse', r]),
    );
    for (const a of revs)
      for (const b of revs) {
        let want = true;
        try {
          execFileSync('git', ['-C', h.dir, 'merge-base', '--is-ancestor', a, b]);
        } catch {
          want = false;
        }
        assert.equal(
          await reaches(ctx, b, a),
          want,
          `${revs.indexOf(a)} in ${revs.indexOf(b)} history`,
        );
      }
    await assert.rejects(reaches(ctx, h.main, 'f'.repeat(40)));
  });
});

describe('commits made in the same second', () => {
  it('are told apart by their history, not their dates', async () => {
    const dir = join(root, 'same-second');
    execFileSync('git', ['init', '-q', '-b', 'main', dir]);
    const at = 1_750_000_000;
    const c: string[] = [];
    for (let i = 0; i < 6; i++) c.push(commitFile(dir, `f${i}.txt`, `${i}\n`, at));
    const ctx = gitContext(dir, join(dir, '.git'), false);
    for (let i = 0; i < c.length; i++)
      for (let j = 0; j < c.length; j++) {
        const a = c[i] ?? '';
        const b = c[j] ?? '';
        assert.equal(await reaches(ctx, b, a), i <= j, `${i} in ${j}'s history`);
        assert.deepEqual((await newCommits(ctx, [b], [a])).commits.sort(), revList(dir, [b], [a]));
      }
  });
});

describe('a push in one session', () => {
  it('is taken by git receive-pack, complete, with each ref compare-and-set', async () => {
    const h = history();
    const host = join(root, `host${clock}.git`);
    execFileSync('git', ['init', '-q', '--bare', host]);
    const ctx = gitContext(h.dir, join(h.dir, '.git'), false);
    // the host has an old main first; then both branches go in one session
    let out = await sendPack(ctx, () => receivePack(host), 'host', [
      { src: h.old, dst: 'refs/heads/main', force: false },
    ]);
    assert.deepEqual(
      out.map((o) => o.status),
      ['ok'],
    );
    out = await sendPack(ctx, () => receivePack(host), 'host', [
      { src: h.main, dst: 'refs/heads/main', force: false },
      { src: h.side, dst: 'refs/heads/synced/side', force: true },
    ]);
    assert.deepEqual(
      out.map((o) => o.status),
      ['ok', 'ok'],
    );
    execFileSync('git', ['-C', host, 'fsck', '--strict', '--no-dangling']);
    assert.equal(git(host, ['rev-parse', 'main']), h.main);
    assert.equal(git(host, ['rev-parse', 'synced/side']), h.side);
    // the same again is up to date; going back without force is refused, nothing moves
    out = await sendPack(ctx, () => receivePack(host), 'host', [
      { src: h.main, dst: 'refs/heads/main', force: false },
      { src: h.old, dst: 'refs/heads/synced/side', force: false },
    ]);
    assert.deepEqual(
      out.map((o) => o.status),
      ['up-to-date', 'rejected'],
    );
    assert.equal(git(host, ['rev-parse', 'synced/side']), h.side);
  });
});
