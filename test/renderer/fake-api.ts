/**
 * An in-memory stand-in for the engine behind the IPC contract, for component tests: it answers
 * commands from a snapshot it holds, records the calls and lets the test push events. (The real
 * engine behind the real bridge is exercised by the Playwright tests.)
 */
import type {
  CommandName,
  CommandResult,
  EngineEvent,
  EngineSnapshot,
  FerryApi,
  RepositoryView,
} from '../../src/shared/ipc';
import type { TransferSnapshot } from '../../src/shared/transfers';
import type { DevicesView } from '../../src/shared/devices';

export function repoView(over: Partial<RepositoryView> = {}): RepositoryView {
  return {
    uuid: 'u-laptop',
    description: 'laptop',
    top: '/home/me/Pictures',
    isBare: false,
    branch: 'master',
    annexedFiles: 10,
    presentFiles: 8,
    presentBytes: 123_456_789,
    numcopies: 1,
    pendingJournal: 0,
    held: [],
    conflicts: [],
    remotes: [
      {
        name: 'usb',
        url: '/media/usb',
        uuid: 'u-usb',
        description: 'usb stick',
        cost: 100,
        isAvailable: true,
        kind: 'local-repo',
        note: null,
        state: 'connected',
        downSince: null,
        lastSeen: null,
      },
    ],
    state: 'idle',
    reason: null,
    ...over,
  };
}

export function transfer(i: number, over: Partial<TransferSnapshot> = {}): TransferSnapshot {
  return {
    id: `up:u-usb:KEY${i}`,
    direction: 'upload',
    key: `KEY${i}`,
    file: `photos/img${i}.jpg`,
    remote: 'usb',
    remoteUuid: 'u-usb',
    state: 'queued',
    bytesDone: 0,
    resumedFrom: 0,
    size: 1_000_000,
    rate: 0,
    etaSeconds: null,
    reason: null,
    nextRetryAt: null,
    attempts: 0,
    queuedAt: 1,
    startedAt: null,
    finishedAt: null,
    isExternal: false,
    via: null,
    nextHops: [],
    ...over,
  };
}

export function snapshot(over: Partial<EngineSnapshot> = {}): EngineSnapshot {
  return {
    repositories: [repoView()],
    transfers: [],
    control: { isPaused: false, pausedRemotes: [], rateLimit: 0, remoteRateLimits: {} },
    maps: {},
    drives: [],
    activity: [],
    offers: {},
    isHeadless: true,
    ...over,
  };
}

export class FakeApi {
  readonly calls: { command: CommandName; args: unknown }[] = [];
  private readonly listeners = new Set<(e: EngineEvent) => void>();
  addFolderResult: CommandResult<'addFolder'> = { ok: true, value: repoView() };
  /** while set, addFolder answers only once it settles */
  addFolderGate: Promise<void> | undefined;
  devices: DevicesView = { me: null, paired: [], pending: [] };
  joinResult: CommandResult<'joinShared'> = { ok: true, value: repoView() };

  constructor(public state: EngineSnapshot = snapshot()) {}

  emit(e: EngineEvent): void {
    for (const l of this.listeners) l(e);
  }

  api(): FerryApi {
    const record =
      <K extends CommandName>(command: K, value: (args: unknown) => unknown) =>
      (args: unknown): Promise<CommandResult<K>> => {
        this.calls.push({ command, args });
        return Promise.resolve({ ok: true, value: value(args) } as CommandResult<K>);
      };
    return {
      snapshot: record('snapshot', () => this.state),
      listRepositories: record('listRepositories', () => this.state.repositories),
      addFolder: (args) => {
        this.calls.push({ command: 'addFolder', args });
        return (this.addFolderGate ?? Promise.resolve()).then(() => this.addFolderResult);
      },
      cancelAddFolder: record('cancelAddFolder', () => true),
      syncWith: record('syncWith', () => this.state.repositories[0]),
      addRemote: record('addRemote', () => this.state.repositories[0]),
      addSpecialRemote: record('addSpecialRemote', () => this.state.repositories[0]),
      renameFolder: record('renameFolder', () => this.state.repositories[0]),
      decideDeletion: record('decideDeletion', () => this.state.repositories[0]),
      undoSync: record('undoSync', () => this.state.repositories[0]),
      keepConflictVersion: record('keepConflictVersion', () => this.state.repositories[0]),
      renameConflictVersion: record('renameConflictVersion', () => this.state.repositories[0]),
      openConflictVersion: record('openConflictVersion', () => null),
      whyNotSynced: record('whyNotSynced', () => [
        {
          path: 'photos/a.jpg',
          key: 'SHA256E-s1--00.jpg',
          remote: 'nas',
          reason: 'offline' as const,
          text: 'nas is offline: Connection timed out',
          nextRetryAt: null,
        },
      ]),
      cloneUrl: record('cloneUrl', () => 'annex::00000000-0000-4000-8000-000000000001?type=S3'),
      recentLog: record('recentLog', () => [
        { at: Date.UTC(2026, 11, 2, 9, 15), text: 'pushed to usb' },
        { at: Date.UTC(2026, 11, 2, 9, 16), text: 'cabin cannot be reached: Connection timed out' },
      ]),
      about: record('about', () => ({
        version: '0.1.0',
        node: 'v20.20.2',
        platform: 'linux 6.1',
        stateDir: '/home/me/.local/state/ferry',
        folders: 1,
      })),
      syncNow: record('syncNow', () => null),
      pauseAll: record('pauseAll', () => null),
      resumeAll: record('resumeAll', () => null),
      removeFolder: record('removeFolder', () => null),
      pauseRemote: record('pauseRemote', () => null),
      resumeRemote: record('resumeRemote', () => null),
      listTransfers: record('listTransfers', () => ({
        transfers: this.state.transfers,
        control: this.state.control,
      })),
      pauseTransfer: record('pauseTransfer', () => true),
      resumeTransfer: record('resumeTransfer', () => true),
      cancelTransfer: record('cancelTransfer', () => 1),
      setRateLimit: record('setRateLimit', () => null),
      devices: record('devices', () => this.devices),
      shareFolder: record('shareFolder', () => ({
        code: 'abcd-efgh-ijkl-mnop-qrst-uvwx',
        deviceId: this.devices.me?.id ?? 'X',
        deviceName: this.devices.me?.name ?? 'laptop',
        expiresAt: Date.UTC(2026, 11, 2, 20, 0),
      })),
      joinShared: (args) => {
        this.calls.push({ command: 'joinShared', args });
        return Promise.resolve(this.joinResult);
      },
      acceptDevice: record('acceptDevice', () => null),
      dismissDevice: record('dismissDevice', () => null),
      on: (listener) => {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
      },
    };
  }
}
