/**
 * The two ends of a transfer: which remotes this repository moves content with (read from its
 * configuration), whether a transfer's link is up, and the opened `Remote` for a queue item
 * (this repository's remote, or a remote of another local repository forwarding on a route).
 * Opened remotes and forwarding repositories are kept while they stay usable.
 */
import { existsSync } from 'node:fs';
import { openRepository, type Repository } from '../annex/repository';
import { AnnexBranch } from '../annex/branch';
import { listGitRemotes, type RemoteInfo } from '../remotes/git-remotes';
import { availabilityOf, isPathUp, openRemote, remoteKind } from '../remotes/registry';
import type { Remote } from '../remotes/remote';
import { parseKey } from '../annex/key';
import type { QueueItem } from './queue';

export interface TransferEnds {
  /** the sending side's repository: this one, or the forwarding repository */
  readonly ours: Repository;
  readonly ourBranch: AnnexBranch;
  readonly remote: Remote;
}

/** Transfers at once with one network host, unless more are configured. */
export const NETWORK_SLOTS = 4;

/**
 * Small files with one network host: their cost is round trips and the far side's fsync, not
 * bytes, and several at once share both (the far disk commits their syncs together). Not over
 * ssh, where each session is an ssh connection (sshd turns away many at once) and a process.
 */
export const SMALL_FILE_SLOTS = 16;
const SMALL_FILE_BYTES = 256 * 1024;
/** Small files with a repository on a local disk or drive. */
export const LOCAL_SMALL_SLOTS = 4;
const SMALL_FILE_KINDS: ReadonlySet<string> = new Set(['peer', 'S3', 'webdav']);

/** Remote kinds across a network: their latency is hidden by several transfers at once. */
const NETWORK_KINDS: ReadonlySet<string> = new Set(['ssh', 'peer', 'S3', 'webdav', 'external']);

export class Endpoints {
  private byName = new Map<string, RemoteInfo>();
  private readonly opened = new Map<string, { url: string; remote: Remote }>();
  private readonly senders = new Map<string, { repo: Repository; branch: AnnexBranch }>();

  constructor(
    private readonly repo: Repository,
    private readonly branch: AnnexBranch,
  ) {}

  /** The remotes content moves with, by name. */
  get remotes(): ReadonlyMap<string, RemoteInfo> {
    return this.byName;
  }

  /** Reads the remotes again; a reachable remote whose UUID is not yet known is opened once to learn it. */
  async refresh(): Promise<RemoteInfo[]> {
    const list = async (): Promise<RemoteInfo[]> =>
      (await listGitRemotes(this.repo)).filter(
        (r) => remoteKind(r) !== 'unsupported' && !r.isIgnored,
      );
    const infos = await list();
    this.byName = new Map(infos.map((r) => [r.name, r]));
    for (const r of infos) if (r.isAvailable && !r.uuid) await this.open(r).catch(() => undefined);
    const fresh = await list();
    this.byName = new Map(fresh.map((r) => [r.name, r]));
    return fresh;
  }

  isAvailable(remote: string): boolean {
    const info = this.byName.get(remote);
    return info !== undefined && availabilityOf(info).state === 'up';
  }

  /** Whether a queue item's link is up (a forward needs both repositories reachable). */
  itemAvailable(item: QueueItem): boolean {
    return item.via
      ? isPathUp(item.via.top) && isPathUp(item.via.targetPath)
      : this.isAvailable(item.remote);
  }

  /**
   * Transfers at once on a link: `slots` for local links (a disk does best with few), at least
   * 4 for a network host or bucket, whose latency is hidden by overlapping transfers.
   */
  slotsFor(item: QueueItem, slots: number): number {
    // asked for every queued item each time the queue is pumped: worked out once per item
    const known = this.slots.get(item);
    if (known?.base === slots && known.remotes === this.byName) return known.n;
    const n = this.slotsOf(item, slots);
    this.slots.set(item, { base: slots, remotes: this.byName, n });
    return n;
  }

  private readonly slots = new WeakMap<
    QueueItem,
    { base: number; remotes: ReadonlyMap<string, RemoteInfo>; n: number }
  >();

  private slotsOf(item: QueueItem, slots: number): number {
    if (item.via) return slots;
    const info = this.byName.get(item.remote);
    const kind = info && remoteKind(info);
    const size = parseKey(item.key)?.size;
    // small files on a local disk: their cost is each one's sync and bookkeeping, which
    // overlap (the file system commits several syncs together), not bytes
    if (!kind || !NETWORK_KINDS.has(kind))
      return size !== undefined && size <= SMALL_FILE_BYTES
        ? Math.max(slots, LOCAL_SMALL_SLOTS)
        : slots;
    const isSmall = SMALL_FILE_KINDS.has(kind) && size !== undefined && size <= SMALL_FILE_BYTES;
    return Math.max(slots, isSmall ? SMALL_FILE_SLOTS : NETWORK_SLOTS);
  }

  /** The name a remote UUID goes by here (the UUID itself when no remote has it). */
  nameOf(uuid: string): string {
    return [...this.byName.values()].find((r) => r.uuid === uuid)?.name ?? uuid;
  }

  /** Why a remote cannot be used now, in words (its kind's availability message). */
  offlineMessage(remote: string): string {
    const info = this.byName.get(remote);
    if (!info) return `${remote} is no longer a remote`;
    const a = availabilityOf(info);
    return a.state === 'down' ? a.message : `${remote} is offline`;
  }

  /** The two ends of `item`, or undefined when its remote is no longer configured. */
  async ends(item: QueueItem): Promise<TransferEnds | undefined> {
    if (!item.via) {
      const info = this.byName.get(item.remote);
      if (!info) return undefined;
      return { ours: this.repo, ourBranch: this.branch, remote: await this.open(info) };
    }
    let sender = this.senders.get(item.via.top);
    if (!sender || !existsSync(sender.repo.gitdir)) {
      // another repository on this machine, forwarding: its annex is untrusted like a remote's
      const repo = { ...(await openRepository(item.via.top)), untrusted: true };
      sender = { repo, branch: new AnnexBranch(repo) };
      this.senders.set(item.via.top, sender);
    }
    const info = (await listGitRemotes(sender.repo)).find((r) => r.name === item.remote);
    if (!info) return undefined;
    return {
      ours: sender.repo,
      ourBranch: sender.branch,
      remote: await this.open(info, sender.repo, linkOf(item)),
    };
  }

  private async open(
    info: RemoteInfo,
    base: Repository = this.repo,
    cacheKey = info.name,
  ): Promise<Remote> {
    const known = this.opened.get(cacheKey);
    if (known && known.url === info.url && known.remote.availability().state === 'up')
      return known.remote;
    const remote = await openRemote(base, info);
    this.opened.set(cacheKey, { url: info.url, remote });
    return remote;
  }
}

/** Slots are per link: this repository's remote, or a forwarding repository's remote. */
export function linkOf(item: QueueItem): string {
  return item.via ? `${item.via.uuid}/${item.remote}` : item.remote;
}
