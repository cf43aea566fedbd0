/**
 * One remote, whatever kind: the seam every transport sits behind (git-annex's
 * `Types/Remote.hs`). The content operations move one key; the optional parts are what a kind
 * may also offer: git history (`git`) and, for a repository remote, its own bookkeeping (its
 * transfer files and its git-annex branch). Everything that reaches the remote's side goes
 * through here; callers never build paths into it.
 */
import type { AnnexBranch } from '../annex/branch';
import type { ObjectSource } from '../annex/receive';
import type { Repository } from '../annex/repository';
import type { Direction, TransferClaim } from '../annex/transfer-info';
import type { GitContext } from '../git/context';
import type { FetchResult } from '../git/fetch-local';
import type { ObjectDatabase } from '../git/object-db';
import type { PushOutcome, RefUpdate } from '../git/push-local';

/** Whether a remote can be used now; when not, why in a word and in a sentence. */
export type Availability =
  | { readonly state: 'up' }
  | {
      readonly state: 'down';
      readonly reason: 'unplugged' | 'unreachable' | 'auth-needed' | 'host-key' | 'not-supported';
      readonly message: string;
    };

export interface MoveOptions {
  readonly signal?: AbortSignal;
  /** bytes of this key done so far (including a resumed partial copy) */
  readonly onProgress?: (bytesDone: number) => void;
  /** awaited before each chunk with its size: a rate limit */
  readonly throttle?: (bytes: number) => Promise<void>;
  /** retrieve: a new file that gets the same bytes, the work-tree copy (see receive.ts) */
  readonly copyTo?: string;
}

/** A held proof that the remote keeps its copy (git-annex's lockContent), until released. */
export interface ContentLock {
  release(): void;
}

/** Git history to and from the remote: the shapes `git fetch` and `git push` have. */
export interface GitTransport {
  /**
   * the branch itself is pushed too (failures ignored), as `git annex sync` does: to a bare
   * repository, and to every ssh host (it cannot tell; a checked-out branch there refuses it)
   */
  readonly takesBranch: boolean;
  fetch(local: GitContext, localDb: ObjectDatabase, signal?: AbortSignal): Promise<FetchResult>;
  push(
    local: GitContext,
    updates: readonly RefUpdate[],
    signal?: AbortSignal,
  ): Promise<PushOutcome[]>;
  /** the remote's annex.uuid, when it is a git-annex repository */
  annexUuid(): Promise<string | undefined>;
}

/** What a repository remote keeps on its side: its transfer files and its git-annex branch. */
export interface RemoteBookkeeping {
  readonly branch: AnnexBranch;
  /** the remote's half of a transfer with `otherUuid` (undefined when someone holds it) */
  claim(
    direction: Direction,
    otherUuid: string,
    key: string,
    file: string,
  ): Promise<TransferClaim | undefined>;
  /** whether the remote is receiving this key now (from anyone) */
  isReceiving(key: string): boolean;
  /** after content arrived there: its unlocked work-tree file gets the bytes */
  afterStore(key: string, file: string): Promise<void>;
}

/** Told when a remote's refs move (a host's notifychanges), and whether the watch is up. */
export interface ChangeCallbacks {
  changed(shas: readonly string[]): void;
  state(isUp: boolean, message?: string): void;
}

export interface ChangeWatch {
  /** try to watch again now (the remote was reached by other work) */
  retryNow(): void;
  close(): void;
}

export type RemoteKind =
  'local-repo' | 'ssh' | 'peer' | 'directory' | 'S3' | 'webdav' | 'external' | 'unsupported';

export interface Remote {
  readonly name: string;
  readonly uuid: string;
  readonly kind: RemoteKind;
  readonly cost: number;
  availability(): Availability;
  hasKey(key: string): Promise<boolean>;
  /** a shared lock on the remote's copy, held while it stands in for a copy being dropped */
  lockContent(key: string): Promise<ContentLock | undefined>;
  /**
   * Whether the remote's copy holds up before it stands in for a dropped one: present with the
   * key's size and, when `thorough` (it is the only other copy), its checksum.
   */
  checkCopy(key: string, thorough: boolean): Promise<boolean>;
  /**
   * uploads the content (resumable; verified before it counts on the remote's side);
   * 'already-there' when the remote answered that it has it (see `storeSaysPresent`)
   */
  store(key: string, source: ObjectSource, options?: MoveOptions): Promise<void | 'already-there'>;
  /**
   * The remote's answer to a store says whether it already has the key (the P2P protocol's
   * ALREADY-HAVE), so an upload need not ask it first.
   */
  readonly storeSaysPresent?: boolean;
  /**
   * Downloads into `into`'s `.git/annex/tmp` and, once verified by the store's one verifier,
   * into its objects. False when the remote does not have it.
   */
  retrieve(key: string, into: Repository, options?: MoveOptions): Promise<boolean>;
  /** removes the remote's copy once `check` (run while the copy is locked) allows it */
  remove(key: string, check: () => Promise<void>): Promise<boolean>;
  readonly git?: GitTransport;
  readonly bookkeeping?: RemoteBookkeeping;
}
