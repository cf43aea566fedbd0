/** Crafting what a hostile remote sends, with git's plumbing (objects git itself would refuse). */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { starClones } from './clones';
import { git } from './repos';

export interface RawEntry {
  readonly mode: string;
  readonly name: string;
  readonly oid: string;
}

const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Mallory',
  GIT_AUTHOR_EMAIL: 'mallory@example.com',
  GIT_COMMITTER_NAME: 'Mallory',
  GIT_COMMITTER_EMAIL: 'mallory@example.com',
};

/** Writes an object as it is (`git hash-object --literally`), returning its id. */
export function writeLiteral(cwd: string, type: string, content: Buffer | string): string {
  return execFileSync('git', ['hash-object', '--literally', '-t', type, '-w', '--stdin'], {
    cwd,
    env,
    input: content,
    encoding: 'utf8',
  }).trim();
}

export function blob(cwd: string, content: string): string {
  return writeLiteral(cwd, 'blob', content);
}

/** A tree with exactly these entries, in this order, whatever git thinks of them. */
export function rawTree(cwd: string, entries: readonly RawEntry[]): string {
  const parts = entries.map((e) =>
    Buffer.concat([Buffer.from(`${e.mode} ${e.name}\0`, 'utf8'), Buffer.from(e.oid, 'hex')]),
  );
  return writeLiteral(cwd, 'tree', Buffer.concat(parts));
}

/** A commit of `tree` on top of the current branch, which moves to it (no checks, as a hostile clone). */
export function commitOnBranch(
  cwd: string,
  tree: string,
  ref = 'refs/heads/master',
  parentRev = ref,
): string {
  const parent = git(cwd, 'rev-parse', parentRev).trim();
  const commit = execFileSync('git', ['commit-tree', tree, '-p', parent, '-m', 'innocent'], {
    cwd,
    env,
    encoding: 'utf8',
  }).trim();
  git(cwd, 'update-ref', ref, commit);
  return commit;
}

/** The entries of a commit's top tree, as `git ls-tree` gives them. */
export function topEntries(cwd: string, rev = 'HEAD'): RawEntry[] {
  return git(cwd, 'ls-tree', rev)
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [meta = '', name = ''] = line.split('\t');
      const [mode = '', , oid = ''] = meta.split(' ');
      return { mode: mode.replace(/^0+/, ''), name, oid };
    });
}

/** A victim V syncing with the attacker's clone E (V's remote "evil"), and a 0700 victim folder outside both. */
export async function victimAndAttacker(
  root: string,
): Promise<{ v: string; e: string; victim: string }> {
  mkdirSync(root, { recursive: true });
  const c = await starClones(root, ['V', 'E']);
  const v = c.V ?? '';
  git(v, 'remote', 'rename', 'E', 'evil');
  const victim = join(root, 'victim');
  mkdirSync(victim, { mode: 0o700 });
  chmodSync(victim, 0o700);
  return { v, e: c.E ?? '', victim };
}

/** The key a committed locked file's symlink names. */
export function keyOf(repo: string, file: string): string {
  const target = git(repo, 'cat-file', 'blob', `HEAD:${file}`);
  return target.slice(target.lastIndexOf('/') + 1);
}
