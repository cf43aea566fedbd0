/**
 * The guard against mass deletion. A change arriving from elsewhere (a remote's branch, a ref
 * pushed in) that would delete more than a threshold of the folder's files (default: over 100
 * files and over 10 % of them) is not merged: it is held, and the user decides. "Apply" merges it
 * as it is; "keep mine" merges its history with the deleted files kept (so the other side gets
 * them back with the next sync). Held changes and decisions live in
 * `.git/annex/ferry/held-deletions.json`, so a restart still holds them and `ferry deletions`
 * can decide for a running assistant (it reads the file at every merge).
 *
 * Thresholds: `ferry.deletionGuardFiles` (over this many files; 0 turns the guard off) and
 * `ferry.deletionGuardPercent` in the repository's git config.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Repository } from '../annex/repository';
import { FerryError } from '../errors';
import { getConfig, isAncestor, walkTree } from '../git/read';
import type { HeldDeletion } from '../../shared/types';
import { diffTrees, type FileChange } from './worktree-update';

export const DEFAULT_GUARD_FILES = 100;
export const DEFAULT_GUARD_PERCENT = 10;
/** how many of the deleted paths a held change names */
const SAMPLE = 20;
/** decisions and held changes older than this are forgotten */
const FORGET_MS = 30 * 24 * 3600_000;

interface Decision {
  readonly id: string;
  readonly keep: boolean;
  readonly at: number;
}

interface GuardState {
  held: HeldDeletion[];
  decisions: Decision[];
}

/** What a merge does with what it was about to write. */
export type Verdict =
  | { readonly action: 'merge' }
  | { readonly action: 'hold'; readonly held: HeldDeletion; readonly isNew: boolean }
  | { readonly action: 'keep'; readonly restore: readonly FileChange[] };

function stateFile(repo: Repository): string {
  return join(repo.gitdir, 'annex', 'ferry', 'held-deletions.json');
}

function readState(repo: Repository): GuardState {
  try {
    const raw = JSON.parse(readFileSync(stateFile(repo), 'utf8')) as Partial<GuardState>;
    const now = Date.now();
    const fresh = <T extends { at: number }>(xs: unknown): T[] =>
      Array.isArray(xs)
        ? (xs as T[]).filter((x) => typeof x?.at === 'number' && now - x.at < FORGET_MS)
        : [];
    return { held: fresh<HeldDeletion>(raw.held), decisions: fresh<Decision>(raw.decisions) };
  } catch {
    return { held: [], decisions: [] };
  }
}

function writeState(repo: Repository, state: GuardState): void {
  const file = stateFile(repo);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(state));
  renameSync(`${file}.tmp`, file);
}

/** The changes held in `repo` now, newest first. */
export function heldDeletions(repo: Repository): HeldDeletion[] {
  return readState(repo).held.sort((a, b) => b.at - a.at);
}

/**
 * The user's answer to a held change: `keep` true keeps the files it deletes, false applies it.
 * The next merge carries it out.
 */
export function decideDeletion(repo: Repository, id: string, keep: boolean): HeldDeletion {
  const state = readState(repo);
  const held = state.held.find((h) => h.id === id || (id.length >= 7 && h.id.startsWith(id)));
  if (!held) throw new FerryError('not-found', `no change ${id} is held in ${repo.top}`);
  state.decisions = state.decisions.filter((d) => d.id !== held.id);
  state.decisions.push({ id: held.id, keep, at: Date.now() });
  writeState(repo, state);
  return held;
}

async function threshold(repo: Repository): Promise<{ files: number; percent: number }> {
  const number = async (key: string, fallback: number): Promise<number> => {
    const v = Number(await getConfig(repo.git, key).catch(() => undefined));
    return Number.isFinite(v) && v >= 0 ? v : fallback;
  };
  return {
    files: await number('ferry.deletionGuardFiles', DEFAULT_GUARD_FILES),
    percent: await number('ferry.deletionGuardPercent', DEFAULT_GUARD_PERCENT),
  };
}

async function countFiles(repo: Repository, tree: string): Promise<number> {
  let n = 0;
  const files = walkTree(repo.git, tree);
  while (!(await files.next()).done) n++;
  return n;
}

/** Whether `decided` is `commit` or in its history (a decision stands for what builds on it). */
async function covers(repo: Repository, decided: string, commit: string): Promise<boolean> {
  return decided === commit || (await isAncestor(repo.git, decided, commit).catch(() => false));
}

/**
 * The files a change deletes. A file that became a folder, or that a new file now stands in the
 * way of (a folder that became a file), is replaced, not deleted: it is left out, so keeping
 * "deleted" files never puts one over what the other side made.
 */
export function deletedFiles(changes: readonly FileChange[]): FileChange[] {
  const added = new Set<string>();
  const addedDirs = new Set<string>();
  for (const c of changes) {
    if (!c.after) continue;
    added.add(c.path);
    for (let i = c.path.indexOf('/'); i >= 0; i = c.path.indexOf('/', i + 1))
      addedDirs.add(c.path.slice(0, i));
  }
  const inTheWay = (path: string): boolean => {
    if (addedDirs.has(path)) return true;
    for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1))
      if (added.has(path.slice(0, i))) return true;
    return false;
  };
  return changes.filter((c) => c.before && !c.after && !inTheWay(c.path));
}

export class DeletionGuard {
  constructor(private readonly repo: Repository) {}

  /**
   * Looks at a merge about to move the branch from `headTree` to `resultTree` by taking
   * `commit` (from `from`, in words): merge it, hold it, or merge it keeping what it deletes.
   */
  async check(input: {
    readonly ref: string;
    readonly from: string;
    readonly commit: string;
    readonly headTree: string | undefined;
    readonly resultTree: string;
  }): Promise<Verdict> {
    const { repo } = this;
    if (!input.headTree) return { action: 'merge' };
    const limit = await threshold(repo);
    if (limit.files === 0) return { action: 'merge' };
    const changes = await diffTrees(repo, input.headTree, input.resultTree);
    const deleted = deletedFiles(changes);
    if (deleted.length <= limit.files) return { action: 'merge' };
    const total = await countFiles(repo, input.headTree);
    if (deleted.length * 100 <= total * limit.percent) return { action: 'merge' };
    const state = readState(repo);
    for (const d of state.decisions) {
      if (!(await covers(repo, d.id, input.commit))) continue;
      return d.keep ? { action: 'keep', restore: deleted } : { action: 'merge' };
    }
    const known = state.held.find((h) => h.id === input.commit);
    if (known) return { action: 'hold', held: known, isNew: false };
    const held: HeldDeletion = {
      id: input.commit,
      ref: input.ref,
      from: input.from,
      deleted: deleted.length,
      total,
      sample: deleted.slice(0, SAMPLE).map((c) => c.path),
      at: Date.now(),
    };
    // a newer change from the same place replaces the one it builds on
    state.held = state.held.filter((h) => h.ref !== input.ref);
    state.held.push(held);
    writeState(repo, state);
    return { action: 'hold', held, isNew: true };
  }

  /**
   * `commit` of `ref` was merged: what it built on (and an older change of the same ref) is no
   * longer held, and its decision is spent.
   */
  async merged(ref: string, commit: string): Promise<void> {
    const state = readState(this.repo);
    if (state.held.length === 0 && state.decisions.length === 0) return;
    const held: HeldDeletion[] = [];
    for (const h of state.held)
      if (h.ref !== ref && !(await covers(this.repo, h.id, commit))) held.push(h);
    const decisions: Decision[] = [];
    for (const d of state.decisions)
      if (!(await covers(this.repo, d.id, commit))) decisions.push(d);
    if (held.length === state.held.length && decisions.length === state.decisions.length) return;
    writeState(this.repo, { held, decisions });
  }
}
