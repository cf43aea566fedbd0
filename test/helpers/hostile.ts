/** Crafting what a hostile remote sends, with git's plumbing (objects git itself would refuse). */
import { execFileSync } from 'node:child_process';
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
