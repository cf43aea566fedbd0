/**
 * The composition root: every repository Ferry syncs, each with its own assistant and
 * transferrer, one drive watch shared by all of them, and the commands of the IPC contract.
 * The Electron main process and the headless web server both run exactly this.
 *
 * Loops, queues and shared state, all owned by the parts named here:
 *   - per repository: the assistant's drain loop and watchers (sync/assistant.ts), the
 *     transferrer's queue, slots, progress and recheck timers (transfer/transferrer.ts), the
 *     drive manager's serial chain of mount changes (drives/drive-manager.ts);
 *   - here: `managed` (folder → its parts), `listeners` (event subscribers), `activity` (the
 *     last 200 entries for the window), `statusPasses` (status-passes.ts), and
 *     the shared mount source fan-out.
 * Folder list: `folders.json` in the state directory when one is given, else only this run's.
 */
import { resolve } from 'node:path';
import type {
  DriveView,
  EngineEvent,
  EngineSnapshot,
  RepositoryView,
  SyncOffer,
} from '../shared/ipc';
import { driveActivityText } from '../shared/event-text';
import type { TransferControlState } from '../shared/transfers';
import type { NetworkMap } from '../shared/network';
import { AnnexBranch } from './annex/branch';
import { renameRepository } from './annex/repo-config';
import { openRepository, type Repository } from './annex/repository';
import { addRemote } from './remotes/add-remote';
import { addSpecialRemote, remoteCloneUrl } from './remotes/add-special';
import { linkRepositories } from './remotes/link-repositories';
import { aboutFerry, LogRing } from './log-ring';
import { saveFolders, savedFolders } from './folder-list';
import { ActivityHistory, type NewEntry } from './activity-history';
import { MountFanOut } from './drives/fan-out';
import type { MountSource } from './drives/mounts';
import { FerryError } from './errors';
import { repositoryStatus } from './status';
import { repositoryView } from './repository-view';
import { offersFor } from './offers';
import type { WatchFn } from './sync/watcher';
import { Folder, syncEntry, type FolderHost } from './folder';
import { errorMessage } from '../shared/errors';
import type { Handlers } from './dispatch';
import type { PeerService } from './peers/peer-service';
import { transferHandlers } from './control/transfer-handlers';
import { deviceHandlers } from './peers/device-handlers';
import { attentionHandlers } from './control/attention-handlers';
import { FolderAdding } from './control/add-folder';
import { onPeerState } from './peers/context';
import { StatusPasses } from './status-passes';

export { dispatch, type Handlers } from './dispatch';

export interface EngineOptions {
  readonly folders?: readonly string[];
  /** where folders.json is kept; none: the folder list lives only in memory */
  readonly stateDir?: string;
  readonly watch: WatchFn;
  /** how drives are noticed; none: drives are not watched */
  readonly mountSource?: MountSource;
  readonly log?: (message: string) => void;
  /** a module's debug line (shown when FERRY_DEBUG names the module) */
  readonly debug?: (module: string, message: string) => void;
  readonly isHeadless?: boolean;
  /** assistant timings, for tests */
  readonly quietMs?: number;
  /** opens a file with the desktop's program for it (the desktop app; absent headless) */
  readonly openPath?: (path: string) => Promise<void>;
  /** how long adding a folder may take before it is given up (default 60 s) */
  readonly addFolderTimeoutMs?: number;
  readonly peers?: PeerService; // Ferry devices (listener, discovery, invites)
}

export class Engine {
  private readonly managed = new Map<string, Folder>();
  private readonly listeners = new Set<(e: EngineEvent) => void>();
  private readonly activity = new ActivityHistory(
    (uuid) => [...this.managed.values()].find((m) => m.repo.uuid === uuid)?.repo.gitdir,
  );
  private readonly logs = new LogRing();
  private readonly statusPasses = new StatusPasses(async (top) => {
    const m = this.managed.get(top);
    if (!m) return;
    const status = await this.view(m);
    this.emit({ type: 'repository-changed', status, at: Date.now() });
  });
  private readonly driveStates = new Map<string, DriveView>();
  private readonly fanOut: MountFanOut | undefined;
  private isPaused = false;
  private isStopped = false;

  constructor(private readonly options: EngineOptions) {
    this.fanOut = options.mountSource ? new MountFanOut(options.mountSource) : undefined;
    const devicesChanged = (): void => this.emit({ type: 'devices-changed', at: Date.now() });
    this.unwatchDevices = [options.peers?.onChange(devicesChanged), onPeerState(devicesChanged)];
  }
  private readonly unwatchDevices: ((() => void) | undefined)[];

  /** Starts syncing every known folder (given, and saved from earlier runs). */
  async start(): Promise<void> {
    const saved = savedFolders(this.options.stateDir, (m) => this.log(m));
    for (const folder of new Set([...saved, ...(this.options.folders ?? [])])) {
      try {
        await this.manage(await openRepository(folder));
      } catch (e) {
        this.raise(e, `cannot sync ${folder}`);
      }
    }
    this.options.peers?.ready();
  }

  async stop(): Promise<void> {
    this.isStopped = true;
    for (const u of this.unwatchDevices) u?.();
    this.statusPasses.stop();
    for (const m of this.managed.values()) await m.stop();
    this.activity.flush();
    await this.fanOut?.stop();
    this.listeners.clear();
  }

  /** The folders being synced (their top directories). */
  folders(): string[] {
    return [...this.managed.keys()];
  }

  on(listener: (e: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: EngineEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.log(`event listener failed: ${errorMessage(err)}`);
      }
    }
  }

  private log(m: string): void {
    this.logs.push(m);
    this.options.log?.(m);
  }

  private note(entry: NewEntry): void {
    const full = this.activity.add(entry);
    this.emit({ type: 'activity', entry: full, at: full.at });
  }

  private raise(e: unknown, context: string): void {
    const err = e instanceof FerryError ? e : undefined;
    const message = `${context}: ${errorMessage(e)}`;
    this.log(message);
    this.note({ repository: null, kind: 'error', text: message });
    this.emit({ type: 'error-raised', code: err?.code ?? 'io-error', message, at: Date.now() });
  }

  private saveFolders(): void {
    saveFolders(this.options.stateDir, [...this.managed.keys()]);
  }

  /** Stops syncing a folder and forgets it; its files and repository stay as they are. */
  private async forget(m: Folder): Promise<void> {
    const repository = m.repo.uuid;
    this.managed.delete(m.repo.top);
    await m.stop();
    this.saveFolders();
    this.note({
      repository,
      kind: 'sync',
      text: `stopped syncing ${m.repo.top}; its files are as they were`,
    });
    this.emit({ type: 'repository-removed', repository, at: Date.now() });
  }

  private readonly adding = new FolderAdding({
    manage: (repo) => this.manage(repo),
    isSynced: (top) => this.managed.has(top),
    forget: (m) => this.forget(m),
    added: async (m) => {
      this.saveFolders();
      for (const top of this.managed.keys()) void this.emitOffers(top);
      this.note({ repository: m.repo.uuid, kind: 'sync', text: `started syncing ${m.repo.top}` });
      return this.view(m);
    },
    timeoutMs: () => this.options.addFolderTimeoutMs,
  });

  private async manage(repo: Repository): Promise<Folder> {
    const known = this.managed.get(repo.top);
    if (known) return known;
    const folder = new Folder(repo, this.folderHost, this.fanOut?.child());
    await folder.serveControl();
    this.managed.set(repo.top, folder);
    this.activity.load(repo.uuid);
    await folder.start(this.isPaused);
    this.statusSoon(repo.top);
    return folder;
  }

  /** What each folder needs of the engine. */
  private get folderHost(): FolderHost {
    return {
      watch: this.options.watch,
      quietMs: this.options.quietMs,
      emit: (e) => this.emit(e),
      log: (m) => this.log(m),
      debug: (module, m) => this.options.debug?.(module, m),
      noteSync: (repo, e) => {
        const entry = syncEntry(repo.uuid, e);
        if (entry) this.note(entry);
      },
      noteDrive: (repo, e) => {
        this.note({ repository: repo.uuid, kind: 'drive', text: driveActivityText(e) });
        if (!('remote' in e)) return;
        if (e.type === 'drive-removed') this.driveStates.delete(e.mountPoint);
        else if (e.type !== 'drive-appeared')
          this.driveStates.set(e.mountPoint, {
            mountPoint: e.mountPoint,
            remote: e.remote,
            repository: repo.uuid,
            state: e.type === 'drive-syncing' ? 'syncing' : 'safe-to-unplug',
          });
      },
      statusSoon: (top) => this.statusSoon(top),
      emitOffers: (top) => this.emitOffers(top),
      emitControl: () => this.emitControl(),
      peers: this.options.peers,
    };
  }

  /** A `repository-changed` soon (see status-passes.ts). */
  private statusSoon(top: string): void {
    if (!this.isStopped) this.statusPasses.soon(top);
  }

  /** A repository's status, state and the reason it is not in sync. */
  private async view(m: Folder): Promise<RepositoryView> {
    const status = await repositoryStatus(m.repo, { withLacks: true });
    const transfers = m.transfers.snapshot(200);
    return repositoryView(status, {
      isPaused: this.isPaused || m.transfers.controlState().isPaused,
      failed: m.assistant.failedRemotes(),
      active: transfers.filter(
        (t) => !t.isExternal && (t.state === 'running' || t.state === 'queued'),
      ).length,
      waiting: transfers.filter((t) => t.state === 'waiting').length,
      lastSynced: (remote) => this.activity.lastSent(m.repo.uuid, remote),
    });
  }

  private async emitOffers(top: string): Promise<void> {
    const m = this.managed.get(top);
    if (!m) return;
    const offers = await offersFor(m, [...this.managed.values()]).catch(() => []);
    this.emit({ type: 'offers-changed', repository: m.repo.uuid, offers, at: Date.now() });
  }

  private control(): TransferControlState {
    const first = [...this.managed.values()][0];
    const c = first?.transfers.controlState();
    const isEveryFolderPaused =
      this.managed.size > 0 &&
      [...this.managed.values()].every((m) => m.transfers.controlState().isPaused);
    return {
      isPaused: this.isPaused || isEveryFolderPaused,
      pausedRemotes: c?.pausedRemotes ?? [],
      rateLimit: c?.rateLimit ?? 0,
      remoteRateLimits: c?.remoteRateLimits ?? {},
    };
  }

  private emitControl(): void {
    this.emit({ type: 'control-changed', control: this.control(), at: Date.now() });
    for (const top of this.managed.keys()) this.statusSoon(top);
  }

  private async snapshot(): Promise<EngineSnapshot> {
    const maps: Record<string, NetworkMap> = {};
    const repositories: RepositoryView[] = [];
    const offers: Record<string, SyncOffer[]> = {};
    for (const m of this.managed.values()) {
      repositories.push(await this.view(m));
      offers[m.repo.uuid] = await offersFor(m, [...this.managed.values()]).catch(() => []);
      const map = m.map ?? m.transfers.networkMap();
      if (map) maps[m.repo.uuid] = map;
    }
    return {
      repositories,
      transfers: [...this.managed.values()].flatMap((m) => m.transfers.snapshot(10_000)),
      control: this.control(),
      maps,
      drives: [...this.driveStates.values()],
      activity: [...this.activity.all()].slice(-200),
      offers,
      isHeadless: this.options.isHeadless ?? false,
    };
  }

  /** The commands of the IPC contract. */
  private folderOf(repository: string): Folder {
    const m = [...this.managed.values()].find((x) => x.repo.uuid === repository);
    if (!m) throw new FerryError('usage', `Ferry does not sync a folder with UUID ${repository}`);
    return m;
  }

  /** Adds a remote to a folder with `add`, then syncs with it. */
  private async addingRemote(
    repository: string,
    what: string,
    add: (repo: Repository) => Promise<string>,
  ): Promise<RepositoryView> {
    const m = this.folderOf(repository);
    const added = await add(m.repo);
    m.assistant.remotesChanged();
    this.note({ repository, kind: 'sync', text: `syncing with ${what} (remote "${added}")` });
    this.statusSoon(m.repo.top);
    return this.view(m);
  }

  handlers(): Handlers {
    return {
      snapshot: () => this.snapshot(),
      listRepositories: async () => {
        const out: RepositoryView[] = [];
        for (const m of this.managed.values()) out.push(await this.view(m));
        return out;
      },
      addFolder: (args) => this.adding.add(args),
      cancelAddFolder: ({ path }) => Promise.resolve(this.adding.cancel(path)),
      whyNotSynced: ({ repository, limit }) => this.folderOf(repository).why(limit),
      renameFolder: async ({ repository, name }) => {
        const m = this.folderOf(repository);
        const text = await renameRepository(new AnnexBranch(m.repo), repository, name);
        this.note({ repository, kind: 'sync', text: `named "${text}"` });
        this.statusSoon(m.repo.top);
        return this.view(m);
      },
      removeFolder: async ({ repository }) => {
        await this.forget(this.folderOf(repository));
        return null;
      },
      addRemote: ({ repository, url, name }) =>
        this.addingRemote(repository, url, (repo) => addRemote(repo, url, name)),
      addSpecialRemote: ({ repository, ...request }) =>
        this.addingRemote(repository, `${request.name} (${request.type})`, (repo) =>
          addSpecialRemote(repo, request),
        ),
      syncWith: async ({ repository, path }) => {
        const m = this.folderOf(repository);
        const other = await openRepository(resolve(path));
        const back = this.managed.get(other.top);
        const remote = await linkRepositories(m.repo, other, back?.repo);
        back?.assistant.remotesChanged();
        m.assistant.remotesChanged();
        this.note({
          repository: m.repo.uuid,
          kind: 'sync',
          text: `syncing with ${other.top} (remote "${remote}")`,
        });
        for (const top of this.managed.keys()) void this.emitOffers(top);
        this.statusSoon(m.repo.top);
        return this.view(m);
      },
      cloneUrl: ({ repository, remote }) => remoteCloneUrl(this.folderOf(repository).repo, remote),
      recentLog: ({ limit }) => Promise.resolve(this.logs.recent(limit)),
      about: () => Promise.resolve(aboutFerry(this.options.stateDir, this.managed.size)),
      syncNow: () => {
        for (const m of this.managed.values()) m.assistant.syncNow();
        return Promise.resolve(null);
      },
      ...transferHandlers({
        folders: () => [...this.managed.values()],
        setPaused: (isPaused) => (this.isPaused = isPaused),
        changed: () => this.emitControl(),
        control: () => this.control(),
      }),
      ...attentionHandlers({
        folderOf: (uuid) => this.folderOf(uuid),
        entry: (repository, id) => this.activity.find(repository, id),
        view: (m) => this.view(m),
        note: (repository, text) => this.note({ repository, kind: 'sync', text }),
        statusSoon: (m) => this.statusSoon(m.repo.top),
        openPath: this.options.openPath,
      }),
      ...deviceHandlers({
        peers: this.options.peers,
        folderOf: (uuid) => this.folderOf(uuid),
        folders: () => [...this.managed.values()],
        adopt: async (dir) => {
          const m = await this.manage(await openRepository(dir));
          this.saveFolders();
          this.note({
            repository: m.repo.uuid,
            kind: 'sync',
            text: `started syncing ${m.repo.top}`,
          });
          return this.view(m);
        },
        note: (repository, text) => this.note({ repository, kind: 'sync', text }),
      }),
    };
  }
}
