/** Real repositories in temp dirs, and the real git and git-annex as referees. */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';

export function tempDir(prefix = 'ferry-test-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  // a process the test started may still be finishing a write there: retry for a few seconds
  return {
    path,
    cleanup: () => rmSync(path, { recursive: true, force: true, maxRetries: 12, retryDelay: 250 }),
  };
}

/** This process's environment as it is now (a test may set credentials), with a fixed author. */
function gitEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_AUTHOR_NAME: 'Ferry Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Ferry Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
  };
}

/** Runs the real git (or `git annex ...`) and returns stdout; throws with stderr on failure. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    env: gitEnv(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1 << 28,
  });
}

export function gitStatus(
  cwd: string,
  ...args: string[]
): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('git', args, { cwd, env: gitEnv(), encoding: 'utf8', maxBuffer: 1 << 28 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** `git fsck --strict` must be clean. */
export function assertGitFsck(cwd: string): void {
  const r = gitStatus(cwd, 'fsck', '--strict', '--no-dangling');
  if (r.status !== 0 || /error|missing|broken/i.test(r.stderr + r.stdout)) {
    throw new Error(`git fsck failed in ${cwd}:\n${r.stdout}\n${r.stderr}`);
  }
}

export interface FerryRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs the ferry CLI in-process with captured output. */
export async function ferry(cwd: string, ...argv: string[]): Promise<FerryRun> {
  let out = '';
  let err = '';
  const code = await main(argv, { cwd, out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

export async function ferryOk(cwd: string, ...argv: string[]): Promise<FerryRun> {
  const r = await ferry(cwd, ...argv);
  if (r.code !== 0) throw new Error(`ferry ${argv.join(' ')} exited ${r.code}\n${r.out}\n${r.err}`);
  return r;
}

export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * The real git (or git-annex) without blocking the event loop: needed while Ferry runs in this
 * process, since git-annex may wait for a lock that only this process's event loop can release.
 */
export function gitAsync(cwd: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd, env: gitEnv(), encoding: 'utf8', maxBuffer: 1 << 28 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`git ${args.join(' ')}: ${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

/** The UUIDs the real `git annex whereis` lists for a file, sorted. */
export function annexWhereisUuids(cwd: string, file: string): string[] {
  const out = JSON.parse(git(cwd, 'annex', 'whereis', '--json', file)) as {
    whereis: { uuid: string }[];
  };
  return out.whereis.map((w) => w.uuid).sort();
}

/** A new Ferry repository at `dir` holding `files` (path → text), added and committed. */
export async function ferryRepository(
  dir: string,
  description: string,
  files: Readonly<Record<string, string>>,
): Promise<string> {
  mkdirSync(dir, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  await ferryOk(dir, 'init', description);
  await ferryOk(dir, 'add', '.');
  return dir;
}
