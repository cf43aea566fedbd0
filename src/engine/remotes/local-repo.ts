/**
 * A repository on a path of this machine (another clone, a drive) as a `Remote`. Its annex is
 * untrusted (see ARCHITECTURE.md, "Untrusted input"): it is opened as such, and every byte is
 * verified by the receiving store before it counts.
 */
import { existsSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AnnexBranch } from '../annex/branch';
import { populateArrived } from '../annex/populate-arrived';
import { dropObject, findObject, lockContent, verifyFile } from '../annex/object-store';
import { parseKey } from '../annex/key';
import { receiveFromFile, type ObjectSource } from '../annex/receive';
import { findRepository, type Repository } from '../annex/repository';
import { isKeyInTransfer, TransferClaim, type Direction } from '../annex/transfer-info';
import { FerryError } from '../errors';
import { gitContext, type GitContext } from '../git/context';
import { getConfig } from '../git/read';
import { fetchLocal } from '../git/fetch-local';
import type { ObjectDatabase } from '../git/object-db';
import { pushLocal, type RefUpdate } from '../git/push-local';
import { openLocalRemote, type RemoteInfo } from './git-remotes';
import type { Availability, ContentLock, GitTransport, MoveOptions, Remote } from './remote';

function localGitTransport(name: string, gitdir: string, isBare: boolean): GitTransport {
  return {
    takesBranch: isBare,
    fetch: (local: GitContext, localDb: ObjectDatabase, signal?: AbortSignal) =>
      fetchLocal(local, localDb, name, gitdir, signal),
    push: (local: GitContext, updates: readonly RefUpdate[], signal?: AbortSignal) =>
      pushLocal(local, gitdir, updates, signal),
    annexUuid: () =>
      getConfig(gitContext(dirname(gitdir), gitdir, isBare), 'annex.uuid').catch(() => undefined),
  };
}

export class LocalRepoRemote implements Remote {
  readonly kind = 'local-repo' as const;
  readonly name: string;
  readonly uuid: string;
  readonly cost: number;
  readonly bookkeeping;
  readonly git;

  private constructor(
    readonly info: RemoteInfo,
    /** the remote's repository, opened as untrusted */
    readonly repo: Repository,
    branch: AnnexBranch,
  ) {
    this.name = info.name;
    this.uuid = repo.uuid;
    this.cost = info.cost;
    this.bookkeeping = {
      branch,
      claim: (direction: Direction, otherUuid: string, key: string, file: string) =>
        TransferClaim.claim(repo.annexdir, direction, otherUuid, key, file).catch(() => undefined),
      isReceiving: (key: string) => isKeyInTransfer(repo.annexdir, 'download', key),
      afterStore: (key: string, file: string) => populateArrived(repo, key, file),
    };
    this.git = localGitTransport(info.name, repo.gitdir, repo.isBare);
  }

  /**
   * Git history with the repository at `info`'s path, which need not be a git-annex repository
   * (`git annex sync` pushes to a plain bare one too). Throws when it cannot be reached.
   */
  static gitTransport(info: RemoteInfo): GitTransport {
    const found = info.path ? findRepository(info.path) : undefined;
    if (!info.path || !found)
      throw new FerryError(
        'remote-unavailable',
        `${info.path ?? info.url} is not reachable or not a git repository (is the drive plugged in?)`,
        { remote: info.name },
      );
    return localGitTransport(info.name, found.gitdir, found.isBare);
  }

  /** Opens the remote `info` of `base` (throws `remote-unavailable` when it cannot be reached). */
  static async open(base: Repository, info: RemoteInfo): Promise<LocalRepoRemote> {
    const repo = await openLocalRemote(base, info);
    return new LocalRepoRemote(info, repo, new AnnexBranch(repo));
  }

  availability(): Availability {
    return existsSync(this.repo.gitdir)
      ? { state: 'up' }
      : LocalRepoRemote.availabilityAt(this.info);
  }

  /** A path on this machine is up when it is there (a drive plugged in, a folder present). */
  static availabilityAt(info: Pick<RemoteInfo, 'path' | 'url'>): Availability {
    if (info.path !== undefined && existsSync(info.path)) return { state: 'up' };
    return {
      state: 'down',
      reason: 'unplugged',
      message: `${info.path ?? info.url} is not reachable (is the drive plugged in?)`,
    };
  }

  async hasKey(key: string): Promise<boolean> {
    return (await findObject(this.repo, key)) !== undefined;
  }

  async checkCopy(key: string, thorough: boolean): Promise<boolean> {
    const path = await findObject(this.repo, key);
    if (!path) return false;
    // A regular file of the key's size (findObject took no link); its checksum when it counts most.
    const st = await lstat(path).catch(() => undefined);
    const size = parseKey(key)?.size;
    if (!st?.isFile() || (size !== undefined && st.size !== size)) return false;
    return !thorough || (await verifyFile(key, path).catch(() => false));
  }

  async lockContent(key: string): Promise<ContentLock | undefined> {
    const held = await lockContent(this.repo, key, 'shared');
    return held ? { release: () => held.lock.release() } : undefined;
  }

  async store(key: string, source: ObjectSource, options: MoveOptions = {}): Promise<void> {
    await receiveFromFile(this.repo, key, source, options);
  }

  async retrieve(key: string, into: Repository, options: MoveOptions = {}): Promise<boolean> {
    // the remote's copy is held (shared) while it is read, so it cannot be dropped meanwhile
    const held = await lockContent(this.repo, key, 'shared');
    if (!held) return false;
    try {
      await receiveFromFile(into, key, { repo: this.repo, path: held.objectPath }, options);
      return true;
    } finally {
      held.lock.release();
    }
  }

  remove(key: string, check: () => Promise<void>): Promise<boolean> {
    return dropObject(this.repo, key, check);
  }
}
