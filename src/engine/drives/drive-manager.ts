/**
 * Drives for one repository: when a mount appears, look for git-annex repositories on it (the
 * mount point and the folders right under it) and match them to our remotes by annex UUID, so a
 * drive mounted at a new path is still recognised; the remote's URL is then updated to the new
 * path (git-annex and plain git see the move too). A matched drive is synced at once: the
 * transfer scan for it starts with the pull, merge and push, its transfers go before other
 * remotes' (own slots, "next" priority), and when nothing is left to move either way it is
 * "safe to unplug". When the mount goes away its transfers stop with their partial data kept
 * and everything for it waits for the next plug-in; files missing from an absent drive are
 * never taken as deletions (nothing here ever reads its work tree).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';
import { AnnexBranch } from '../annex/branch';
import { parseUuidLog } from '../annex/logs';
import { findRepository, type Repository } from '../annex/repository';
import { gitContext } from '../git/context';
import { getConfig, setConfig } from '../git/read';
import { listGitRemotes } from '../remotes/git-remotes';
import type { Transferrer } from '../transfer/transferrer';
import type { DriveEvent, DriveState } from '../../shared/drives';
import type { Mount, MountSource } from './mounts';
import { errorMessage } from '../../shared/errors';

/** What the manager needs of the assistant. */
export interface DriveSyncer {
  reconnectNow(): Promise<void>;
  pushNow(): Promise<void>;
}

export interface DriveManagerOptions {
  readonly source: MountSource;
  readonly transfers: Transferrer;
  readonly assistant?: DriveSyncer;
  readonly events?: (e: DriveEvent) => void;
  readonly log?: (message: string) => void;
}

interface Attached {
  readonly mount: Mount;
  readonly remote: string;
  state: DriveState;
  /** bumped on every (re)sync and on removal, so a stale sync does not report */
  generation: number;
}

function isUnder(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Git repositories at a mount point: the mount point itself and the folders right under it. */
function repositoriesOn(mountPoint: string): { top: string; gitdir: string; isBare: boolean }[] {
  const out: { top: string; gitdir: string; isBare: boolean }[] = [];
  const at = (dir: string): void => {
    const found = findRepository(dir);
    if (found && found.top === dir) out.push(found);
  };
  at(mountPoint);
  let names: string[];
  try {
    names = readdirSync(mountPoint);
  } catch {
    return out;
  }
  for (const n of names) {
    if (n.startsWith('.') && n !== '.git') continue;
    const dir = join(mountPoint, n);
    if (dir !== join(mountPoint, '.git')) at(dir);
  }
  return out;
}

export class DriveManager {
  private readonly attached = new Map<string, Attached>();
  private mounts: readonly Mount[] = [];
  private isStopped = false;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly repo: Repository,
    private readonly options: DriveManagerOptions,
  ) {}

  async start(): Promise<void> {
    this.log(`drives: watching mounts through ${this.options.source.name}`);
    await this.options.source.start((mounts) => {
      // one change at a time, in order
      this.chain = this.chain
        .then(() => this.onMounts(mounts))
        .catch((e: unknown) => this.log(`drives: ${errorMessage(e)}`));
    });
  }

  async stop(): Promise<void> {
    this.isStopped = true;
    await this.options.source.stop();
    await this.chain;
  }

  /** Settles once the mount changes seen so far have been handled (tests, the CLI). */
  whenSettled(): Promise<void> {
    return this.chain;
  }

  private log(m: string): void {
    this.options.log?.(m);
  }

  private emit(e: DriveEvent): void {
    this.options.events?.(e);
  }

  private async onMounts(mounts: readonly Mount[]): Promise<void> {
    if (this.isStopped) return;
    const before = new Set(this.mounts.map((m) => m.mountPoint));
    const now = new Set(mounts.map((m) => m.mountPoint));
    this.mounts = mounts;
    for (const [mountPoint, a] of [...this.attached]) {
      if (!now.has(mountPoint)) this.onRemoved(a);
    }
    for (const m of mounts) {
      if (!before.has(m.mountPoint) && !this.attached.has(m.mountPoint)) await this.onMounted(m);
    }
  }

  private onRemoved(a: Attached): void {
    this.attached.delete(a.mount.mountPoint);
    a.generation++;
    a.state = 'removed';
    const interrupted = this.options.transfers.disconnect(a.remote);
    this.log(
      `drives: ${a.mount.mountPoint} (remote ${a.remote}) went away${interrupted > 0 ? `; ${interrupted} transfer(s) will resume when it is back` : ''}`,
    );
    this.emit({
      type: 'drive-removed',
      mountPoint: a.mount.mountPoint,
      remote: a.remote,
      interrupted,
      at: Date.now(),
    });
    void this.options.transfers.refreshMap();
  }

  private async onMounted(m: Mount): Promise<void> {
    const found = repositoriesOn(m.mountPoint);
    const remotes = await listGitRemotes(this.repo);
    let matched = false;
    const names = parseUuidLog(await new AnnexBranch(this.repo).read('uuid.log'));
    for (const r of found) {
      const uuid = await getConfig(gitContext(r.top, r.gitdir, r.isBare), 'annex.uuid');
      if (!uuid) continue;
      const remote =
        remotes.find((x) => x.uuid === uuid) ??
        remotes.find((x) => x.path !== undefined && x.path === r.top && !x.uuid);
      if (!remote) {
        if (uuid === this.repo.uuid) continue;
        const knownAs = names.get(uuid)?.value ?? null;
        this.log(
          `drives: ${r.top} holds ${knownAs ? `"${knownAs}"` : 'a git-annex repository'} (${uuid}), which is not a remote here`,
        );
        this.emit({
          type: 'drive-unknown-repository',
          mountPoint: m.mountPoint,
          path: r.top,
          uuid,
          knownAs,
          at: Date.now(),
        });
        matched = true;
        continue;
      }
      let movedFrom: string | null = null;
      if (
        remote.path !== r.top &&
        !(remote.path && existsSync(remote.path) && isUnder(remote.path, m.mountPoint))
      ) {
        movedFrom = remote.path ?? remote.url;
        await setConfig(this.repo.git, `remote.${remote.name}.url`, r.top);
        this.log(
          `drives: remote ${remote.name} is now at ${r.top} (was ${movedFrom}); its URL is updated`,
        );
      }
      matched = true;
      this.emit({
        type: 'drive-appeared',
        mountPoint: m.mountPoint,
        remote: remote.name,
        path: r.top,
        uuid,
        movedFrom,
        at: Date.now(),
      });
      const a: Attached = { mount: m, remote: remote.name, state: 'syncing', generation: 0 };
      this.attached.set(m.mountPoint, a);
      void this.syncDrive(a);
    }
    if (!matched && found.length === 0) {
      this.emit({ type: 'drive-empty', mountPoint: m.mountPoint, label: m.label, at: Date.now() });
    }
  }

  /** Pull, merge, push and move content with the drive until nothing is left; then safe to unplug. */
  private async syncDrive(a: Attached): Promise<void> {
    const generation = ++a.generation;
    const current = (): boolean => a.generation === generation && !this.isStopped;
    const { transfers, assistant } = this.options;
    a.state = 'syncing';
    this.emit({
      type: 'drive-syncing',
      mountPoint: a.mount.mountPoint,
      remote: a.remote,
      at: Date.now(),
    });
    try {
      await transfers.refresh();
      transfers.reconnect(a.remote);
      // content starts moving while the branches are exchanged
      const firstScan = transfers.scanRemote(a.remote);
      await assistant?.reconnectNow();
      await firstScan;
      if (!current()) return;
      // the merge may have brought files the drive has or wants
      await transfers.scanRemote(a.remote);
      await transfers.whenRemoteIdle(a.remote);
      if (!current()) return;
      // the location logs of what moved travel too
      await assistant?.pushNow();
      if (!current() || transfers.isRemoteBusy(a.remote)) {
        if (current()) void this.syncDrive(a);
        return;
      }
      a.state = 'safe-to-unplug';
      const failed = transfers.failedWith(a.remote);
      this.log(
        `drives: ${a.mount.mountPoint} is in sync; safe to unplug${failed > 0 ? ` (${failed} transfer(s) failed; see ferry transfers)` : ''}`,
      );
      this.emit({
        type: 'drive-safe-to-unplug',
        mountPoint: a.mount.mountPoint,
        remote: a.remote,
        failed,
        at: Date.now(),
      });
    } catch (e) {
      if (current()) this.log(`drives: syncing ${a.mount.mountPoint}: ${errorMessage(e)}`);
    }
  }

  /** New work for a drive that was safe to unplug (a file saved meanwhile): syncing again. */
  transferQueued(remote: string): void {
    for (const a of this.attached.values()) {
      if (a.remote === remote && a.state === 'safe-to-unplug') void this.syncDrive(a);
    }
  }
}
