/**
 * One synced folder: the unit that owns its assistant, transferrer, drive manager and control
 * socket, and wires them to each other and to the engine through `FolderHost`. The transferrer
 * reports to the folder (`logsChanged`, `transferQueued`, `mapChanged`), and the folder passes
 * what the others need on: no part holds a reference it is given later.
 */
import { PointerSweep } from './annex/pointer-sweep';
import type { PeerService } from './peers/peer-service';
import type { Server } from 'node:net';
import type { ActivityEntry, EngineEvent } from '../shared/ipc';
import type { DriveEvent } from '../shared/drives';
import type { SyncEvent } from '../shared/events';
import type { NetworkEvent, NetworkMap } from '../shared/network';
import type { TransferEvent } from '../shared/transfers';
import { errorMessage } from '../shared/errors';
import {
  activityText,
  describeDriveEvent,
  describeEvent,
  describeTransfer,
} from '../shared/event-text';
import type { NewEntry } from './activity-history';
import type { Repository } from './annex/repository';
import { AnnexBranch } from './annex/branch';
import type { OutOfSync } from '../shared/types';
import { whyNotSynced } from './why';
import { controlSocketPath, startControlServer } from './control/control-server';
import { folderHandlers } from './control/folder-handlers';
import { DriveManager } from './drives/drive-manager';
import type { MountSource } from './drives/mounts';
import { FerryError } from './errors';
import { Assistant } from './sync/assistant';
import type { WatchFn } from './sync/watcher';
import { Transferrer } from './transfer/transferrer';

/** What a folder needs of the engine around it. */
export interface FolderHost {
  readonly watch: WatchFn;
  readonly quietMs?: number;
  emit(e: EngineEvent): void;
  log(message: string): void;
  debug(module: string, message: string): void;
  /** an activity entry for the window, when the event has words */
  noteSync(repo: Repository, e: SyncEvent): void;
  noteDrive(repo: Repository, e: DriveEvent): void;
  /** a repository-changed soon */
  statusSoon(top: string): void;
  emitOffers(top: string): Promise<void>;
  emitControl(): void;
  /** Ferry devices: the folder is served to the devices paired with it */
  readonly peers?: PeerService;
}

export class Folder {
  readonly transfers: Transferrer;
  readonly assistant: Assistant;
  readonly drives: DriveManager | undefined;
  control: Server | undefined;
  map: NetworkMap | undefined;
  lastError: string | null = null;
  /** repositories on drives that are not remotes yet, by path */
  readonly driveRepositories = new Map<string, { uuid: string; description: string }>();

  constructor(
    readonly repo: Repository,
    private readonly host: FolderHost,
    mounts: MountSource | undefined,
  ) {
    const log = (m: string): void => host.log(`${repo.top}: ${m}`);
    this.transfers = new Transferrer(repo, {
      log,
      onLogsChanged: () => this.logsChanged(),
      events: (e) => this.transferEvent(e),
      network: (e) => this.mapChanged(e),
    });
    this.assistant = new Assistant(repo, {
      watch: host.watch,
      transfers: this.transfers,
      quietMs: host.quietMs,
      log,
      events: (e) => {
        host.emit(e);
        host.debug('sync', `${repo.top}: ${describeEvent(e)}`);
        host.noteSync(repo, e);
        host.statusSoon(repo.top);
        if (e.type === 'merged') this.pointers.soon();
      },
    });
    this.drives = mounts
      ? new DriveManager(repo, {
          source: mounts,
          transfers: this.transfers,
          assistant: this.assistant,
          log,
          events: (e) => this.driveEvent(e),
        })
      : undefined;
  }

  /** The transferrer changed location logs: the assistant pushes git-annex. */
  logsChanged(): void {
    this.assistant.logsChanged();
  }

  /** A transfer was queued for `remote`: a drive holding it is busy until it is done. */
  transferQueued(remote: string): void {
    this.drives?.transferQueued(remote);
  }

  /** content a device stored here, or a merge, may leave unlocked files holding pointers */
  private readonly pointers = new PointerSweep(() => this.repo);

  mapChanged(e: NetworkEvent): void {
    this.map = e.map;
    this.host.emit(e);
  }

  private transferEvent(e: TransferEvent): void {
    // the window tells the folders' transfers apart
    this.host.emit(
      e.type === 'transfer-changed'
        ? { ...e, transfer: { ...e.transfer, repository: this.repo.uuid } }
        : e,
    );
    if (e.type !== 'transfer-changed') return;
    this.host.debug('transfer', `${this.repo.top}: ${describeTransfer(e.transfer)}`);
    if (e.transfer.state === 'queued') this.transferQueued(e.transfer.remote);
    this.host.statusSoon(this.repo.top);
  }

  private driveEvent(e: DriveEvent): void {
    this.host.emit(e);
    this.host.debug('drives', `${this.repo.top}: ${describeDriveEvent(e)}`);
    this.host.noteDrive(this.repo, e);
    if (e.type === 'drive-unknown-repository') {
      this.driveRepositories.set(e.path, { uuid: e.uuid, description: e.knownAs ?? e.path });
      void this.host.emitOffers(this.repo.top);
    }
  }

  /**
   * Serves the folder's control socket. One Ferry process per folder: a control socket that
   * answers means another one syncs it (`lock-busy`, and nothing was started).
   */
  /** Why files are not in sync here or on the remotes, with the transfers as they are now. */
  why(limit?: number): Promise<OutOfSync[]> {
    return whyNotSynced(this.repo, new AnnexBranch(this.repo), {
      transfers: this.transfers.snapshot(10_000),
      control: this.transfers.controlState(),
      limit,
    });
  }

  async serveControl(): Promise<void> {
    const handlers = folderHandlers(this.transfers, () => this.assistant.syncNow());
    this.control = await startControlServer(this.repo.annexdir, handlers, () =>
      this.host.emitControl(),
    ).catch((e: unknown) => {
      if (e instanceof FerryError && e.code === 'lock-busy') throw e;
      this.host.log(
        `${this.repo.top}: ferry transfers/pause/resume cannot reach this folder (${controlSocketPath(this.repo.annexdir)}: ${errorMessage(e)})`,
      );
      return undefined;
    });
  }

  /** Starts the assistant (and its transferrer) and the drive manager. */
  async start(isPaused: boolean): Promise<void> {
    if (isPaused) this.transfers.pause();
    this.transfers.watchExternal();
    await this.assistant.start();
    // a paired device stored content here: its location log goes out with the next push
    await this.host.peers?.serve(
      this.repo,
      (what) => {
        // a device pushed here: merge now, not when the ref watcher notices (tens of ms later)
        if (what !== 'content') {
          if (what.updated.length > 0) this.assistant.refsMoved();
          return;
        }
        this.assistant.logsChanged();
        this.pointers.soon();
      },
      (key) => this.transfers.recordHeld(key),
    );
    this.map = this.transfers.networkMap();
    await this.drives?.start();
  }

  async stop(): Promise<void> {
    this.pointers.stop();
    await this.host.peers?.unserve(this.repo.uuid);
    await this.drives?.stop();
    await this.assistant.stop();
    const control = this.control;
    if (control) await new Promise((r) => control.close(r));
  }
}

/** The activity entry's kind for a sync event. */
export function syncEntryKind(e: SyncEvent): ActivityEntry['kind'] {
  if (e.type === 'conflict-resolved') return 'conflict';
  return e.type === 'push-failed' || e.type === 'ref-refused' ? 'error' : 'sync';
}

/** The activity entry of a sync event (null: none), with its files and what undoes a merge. */
export function syncEntry(repository: string, e: SyncEvent): NewEntry | null {
  const text = activityText(e);
  if (!text) return null;
  const undo = e.type === 'merged' && e.before ? { before: e.before, after: e.commit } : null;
  const files = e.type === 'merged' || e.type === 'committed' ? e.sample : undefined;
  return {
    repository,
    kind: syncEntryKind(e),
    text,
    ...(undo ? { undo } : {}),
    ...(files && files.length > 0 ? { files } : {}),
  };
}
