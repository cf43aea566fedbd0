/** What one sync carries from step to step: the repository, its branches, events, what failed of one ref. */
import { AnnexBranch } from '../annex/branch';
import type { Repository } from '../annex/repository';
import { ObjectDatabase } from '../git/object-db';
import { getConfig } from '../git/read';
import { listGitRemotes, type RemoteInfo } from '../remotes/git-remotes';
import type { SyncEvent, SyncEventListener } from '../../shared/events';
import { DeletionGuard } from './deletion-guard';

export interface SyncOptions {
  readonly events?: SyncEventListener;
  readonly signal?: AbortSignal;
  /** commit new files too, as the assistant does (default: tracked files only, as git annex sync) */
  readonly includeUntracked?: boolean;
  /** limit to these remotes */
  readonly remotes?: readonly string[];
  readonly commit?: boolean;
}

export interface RemoteSyncResult {
  readonly remote: string;
  readonly pulled: boolean;
  readonly pushed: 'ok' | 'tagged' | 'failed' | 'skipped';
  readonly reason?: string;
}

export interface RefProblem {
  readonly remote: string | null;
  readonly ref: string;
  readonly step: 'fetch' | 'merge';
  readonly reason: string;
}

export interface SyncReport {
  readonly committed: string | undefined;
  readonly merged: string[];
  readonly remotes: RemoteSyncResult[];
  /** refs that could not be fetched or merged; the rest synced */
  readonly refused: RefProblem[];
}

export interface Context {
  /** holds a change that would delete many files (the assistant's merges) */
  guard?: DeletionGuard;
  /** called after the current branch moved from one tree to another by a merge */
  onTreeChanged?: (oldTree: string | undefined, newTree: string) => void;
  readonly repo: Repository;
  readonly branch: AnnexBranch;
  readonly db: ObjectDatabase;
  readonly emit: (e: DistributiveOmit<SyncEvent, 'repo' | 'at'>) => void;
  readonly signal: AbortSignal | undefined;
  /** what failed of one ref alone during this sync */
  readonly refused: RefProblem[];
}

export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export function makeContext(repo: Repository, options: SyncOptions): Context {
  return {
    repo,
    branch: new AnnexBranch(repo),
    db: new ObjectDatabase(repo.gitdir),
    signal: options.signal,
    emit: (e) => options.events?.({ ...e, repo: repo.top, at: Date.now() }),
    refused: [],
    guard: new DeletionGuard(repo),
  };
}

export async function isTrue(repo: Repository, key: string, fallback: boolean): Promise<boolean> {
  const v = await getConfig(repo.git, key);
  return v === undefined ? fallback : /^(true|yes|on|1)$/i.test(v);
}

/** The remotes sync talks to: git remotes with annex-sync not false, cheapest first. */
export async function syncRemotes(
  repo: Repository,
  only?: readonly string[],
): Promise<RemoteInfo[]> {
  const out: RemoteInfo[] = [];
  for (const r of await listGitRemotes(repo)) {
    if (only && !only.includes(r.name)) continue;
    if (!(await isTrue(repo, `remote.${r.name}.annex-sync`, true))) continue;
    out.push(r);
  }
  return out;
}
