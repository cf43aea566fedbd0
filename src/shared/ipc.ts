/**
 * The contract between the engine (Electron main or the headless server) and the renderer:
 * one entry per command with its argument and result, and the events the engine emits.
 * Everything here is plain serialisable data.
 */
import type { DevicesView, ShareCode } from './devices';
import type { DriveEvent, DriveState } from './drives';
import type { ErrorCode } from './errors';
import type { SyncEvent } from './events';
import type { NetworkEvent, NetworkMap } from './network';
import type { TransferControlState, TransferEvent, TransferSnapshot } from './transfers';
import type { OutOfSync, RepositoryStatus } from './types';

/** `not-shared`: no remote yet (nothing to be in sync with) */
export type RepositoryState = 'idle' | 'syncing' | 'paused' | 'error' | 'offline' | 'not-shared';

/** A repository as the window shows it: its status, what it is doing and why it is not in sync. */
export interface RepositoryView extends RepositoryStatus {
  readonly state: RepositoryState;
  /** why it is not in sync, in words; null when it is */
  readonly reason: string | null;
}

export interface DriveView {
  readonly mountPoint: string;
  readonly remote: string;
  readonly repository: string;
  readonly state: DriveState;
}

/** One line of the activity list: a commit, a merge, a conflict kept, a drive, an error. */
export interface ActivityEntry {
  /** the entry's own number: a repeat folded into it arrives again with the same id */
  readonly id?: number;
  readonly at: number;
  readonly repository: string | null;
  readonly kind: 'sync' | 'conflict' | 'drive' | 'error';
  readonly text: string;
  /** how many times it happened in a row (absent: once) */
  readonly count?: number;
  /** some of the files it was about (a commit's, a merge's) */
  readonly files?: readonly string[];
  /** a sync batch that can be undone: the branch before and after it */
  readonly undo?: { readonly before: string; readonly after: string };
}

/** A repository a folder could sync with: a drive's repository, or another folder Ferry syncs. */
export interface SyncOffer {
  readonly path: string;
  readonly uuid: string;
  readonly description: string;
  readonly source: 'drive' | 'folder';
}

export interface EngineSnapshot {
  readonly repositories: readonly RepositoryView[];
  readonly transfers: readonly TransferSnapshot[];
  readonly control: TransferControlState;
  /** the network map of each repository, by its UUID */
  readonly maps: Readonly<Record<string, NetworkMap>>;
  readonly drives: readonly DriveView[];
  readonly activity: readonly ActivityEntry[];
  /** what each folder (by UUID) could sync with and does not yet */
  readonly offers: Readonly<Record<string, readonly SyncOffer[]>>;
  /** true in the headless web UI: the drop area takes a typed path */
  readonly isHeadless: boolean;
}

export interface Commands {
  /** Everything the window shows, at once; events keep it current. */
  snapshot: { args: void; result: EngineSnapshot };
  /** Snapshot of every repository Ferry manages. */
  listRepositories: { args: void; result: readonly RepositoryView[] };
  /** Adds a folder: makes it a repository (or adopts an existing one) and starts syncing it. */
  /** `create`: make the folder when it is missing; `confirm`: yes to a folder that needs it (the home folder) */
  addFolder: {
    args: { path: string; description?: string; create?: boolean; confirm?: boolean };
    result: RepositoryView;
  };
  /** Cancels the add of `path` under way (the folder is left not synced); false when none is. */
  cancelAddFolder: { args: { path: string }; result: boolean };
  /** Makes the repository at `path` a remote of the folder `repository` (a UUID) and syncs with it. */
  syncWith: { args: { repository: string; path: string }; result: RepositoryView };
  /**
   * Adds a remote to the folder `repository` (a UUID): an ssh host (`user@host:path`) or a path.
   * The connection is tested first; nothing is added when it fails (the error says why).
   */
  addRemote: { args: { repository: string; url: string; name?: string }; result: RepositoryView };
  /**
   * Adds a special remote to the folder `repository`: `type` directory, S3, webdav or external,
   * `params` its git-annex parameters as `k=v` lines (encryption=, chunk=, bucket=, url=,
   * directory=, externaltype=...), and a login where the kind takes one. The remote is reached
   * first; one another clone made (same name in remote.log) is enabled instead. It carries the
   * history too. The login is kept in the repository's creds file, never shown again.
   */
  addSpecialRemote: {
    args: {
      repository: string;
      name: string;
      type: string;
      params: string;
      user?: string;
      password?: string;
    };
    result: RepositoryView;
  };
  /**
   * The annex:: URL a new machine clones the folder's special remote `remote` from: a secret
   * when the remote is encrypted (it holds the cipher), so the window copies it on request and
   * never shows it.
   */
  cloneUrl: { args: { repository: string; remote: string }; result: string };
  /** The engine's recent log lines (at most `limit`), oldest first: the window's log view. */
  recentLog: { args: { limit?: number }; result: readonly LogLine[] };
  /** Who this Ferry is: its version and where it runs. */
  about: { args: void; result: AboutInfo };
  /** Pull, merge and push every repository now. */
  syncNow: { args: void; result: null };
  pauseAll: { args: void; result: null };
  resumeAll: { args: void; result: null };
  /** Pauses or resumes the transfers with one remote (by name). */
  /** stops syncing a folder (its files and repository are left as they are) */
  removeFolder: { args: { repository: string }; result: null };
  /** why files are not in sync here or on the folder's remotes: one reason each (at most `limit`) */
  whyNotSynced: { args: { repository: string; limit?: number }; result: readonly OutOfSync[] };
  /** names the folder anew (its repository's description, seen by every clone) */
  renameFolder: { args: { repository: string; name: string }; result: RepositoryView };
  /** the answer to a held mass deletion: `apply` it, or `keep` the files it deletes */
  decideDeletion: {
    args: { repository: string; id: string; action: string };
    result: RepositoryView;
  };
  /** reverts the sync batch of activity entry `entry` in a new commit (its files come back) */
  undoSync: { args: { repository: string; entry: number }; result: RepositoryView };
  /** keeps one version of a conflict (`variant`) under the shared name `path`, removing the others */
  keepConflictVersion: {
    args: { repository: string; path: string; variant: string };
    result: RepositoryView;
  };
  /** opens one version of a conflict with the desktop's program for it (the desktop app) */
  openConflictVersion: {
    args: { repository: string; path: string; variant: string };
    result: null;
  };
  /** gives one version of a conflict its own name (a file name in the same folder) */
  renameConflictVersion: {
    args: { repository: string; path: string; variant: string; name: string };
    result: RepositoryView;
  };
  pauseRemote: { args: { remote: string }; result: null };
  resumeRemote: { args: { remote: string }; result: null };
  /** The transfers (running, queued up to `limit`, waiting, failed, done) and the controls. */
  listTransfers: { args: { limit?: number }; result: TransferListing };
  pauseTransfer: { args: { id: string }; result: boolean };
  resumeTransfer: { args: { id: string }; result: boolean };
  /** `id`: a transfer id, a key, or a remote's name (all its transfers); the result: how many */
  cancelTransfer: { args: { id: string }; result: number };
  /** bytes per second, 0 for no limit; for one remote's name or all */
  setRateLimit: { args: { bytesPerSecond: number; remote?: string }; result: null };
  /** This device, the devices paired with each folder and their state, those waiting. */
  devices: { args: void; result: DevicesView };
  /** A one-time code (an hour, single use) another device joins the folder with. */
  shareFolder: { args: { repository: string }; result: ShareCode };
  /**
   * Joins a folder another device shares: finds it on the LAN (or at `address`, HOST:PORT),
   * clones into `path` (a new or empty folder, or a clone of the same repository) and syncs it.
   */
  joinShared: {
    args: { code: string; path: string; address?: string };
    result: RepositoryView;
  };
  /** Pairs a pending device with the folder it asked for. */
  acceptDevice: { args: { deviceId: string }; result: null };
  /** Forgets a pending device (it stays refused). */
  dismissDevice: { args: { deviceId: string }; result: null };
}

export type CommandName = keyof Commands;

export interface LogLine {
  readonly at: number;
  readonly text: string;
}

export interface AboutInfo {
  readonly version: string;
  readonly node: string;
  readonly platform: string;
  /** where Ferry keeps its folder list and log, when it has one */
  readonly stateDir: string | null;
  readonly folders: number;
}

export interface TransferListing {
  readonly transfers: readonly TransferSnapshot[];
  readonly control: TransferControlState;
}

export type EngineEvent =
  | SyncEvent
  | TransferEvent
  | NetworkEvent
  | DriveEvent
  | { readonly type: 'repository-changed'; readonly status: RepositoryView; readonly at: number }
  /** a folder is no longer synced */
  | { readonly type: 'repository-removed'; readonly repository: string; readonly at: number }
  | {
      readonly type: 'control-changed';
      readonly control: TransferControlState;
      readonly at: number;
    }
  | { readonly type: 'activity'; readonly entry: ActivityEntry; readonly at: number }
  /** a device was paired, came or went, or waits to be accepted: ask for `devices` again */
  | { readonly type: 'devices-changed'; readonly at: number }
  | {
      readonly type: 'offers-changed';
      readonly repository: string;
      readonly offers: readonly SyncOffer[];
      readonly at: number;
    }
  | {
      readonly type: 'error-raised';
      readonly code: ErrorCode;
      readonly message: string;
      readonly at: number;
    };

/**
 * What the user can do instead, when the engine has a better choice for a command that failed:
 * the same command again with this path and, where set, `create` or `confirm`.
 */
export interface ErrorSuggestion {
  readonly path: string;
  readonly create?: boolean;
  readonly confirm?: boolean;
}

export interface CommandError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly suggestion?: ErrorSuggestion;
}

export type CommandResult<K extends CommandName> =
  | { readonly ok: true; readonly value: Commands[K]['result'] }
  | { readonly ok: false; readonly error: CommandError };

/** The API the preload exposes (and the WebSocket bridge implements): one function per command. */
export type FerryApi = {
  readonly [K in CommandName]: (args: Commands[K]['args']) => Promise<CommandResult<K>>;
} & {
  readonly on: (listener: (event: EngineEvent) => void) => () => void;
};

/**
 * One entry per command of `Commands`, and no other: leaving one out, or naming one the contract
 * lacks, does not compile. The preload, the WebSocket API and the handlers are all built from it.
 */
export type CommandTable = { readonly [K in CommandName]: true };

const COMMAND_TABLE: CommandTable = {
  snapshot: true,
  listRepositories: true,
  addFolder: true,
  cancelAddFolder: true,
  syncWith: true,
  addRemote: true,
  addSpecialRemote: true,
  cloneUrl: true,
  recentLog: true,
  about: true,
  syncNow: true,
  pauseAll: true,
  resumeAll: true,
  removeFolder: true,
  renameFolder: true,
  whyNotSynced: true,
  decideDeletion: true,
  undoSync: true,
  keepConflictVersion: true,
  renameConflictVersion: true,
  openConflictVersion: true,
  pauseRemote: true,
  resumeRemote: true,
  listTransfers: true,
  pauseTransfer: true,
  resumeTransfer: true,
  cancelTransfer: true,
  setRateLimit: true,
  devices: true,
  shareFolder: true,
  joinShared: true,
  acceptDevice: true,
  dismissDevice: true,
};

export const COMMAND_NAMES: readonly CommandName[] = Object.keys(COMMAND_TABLE) as CommandName[];
export const IPC_COMMAND_CHANNEL = 'ferry:command';
export const IPC_EVENT_CHANNEL = 'ferry:event';

/** WebSocket frames of the headless UI: requests carry an id, replies echo it; events have none. */
export type BridgeRequest = {
  readonly id: number;
  readonly command: string;
  readonly args: unknown;
};
export type BridgeMessage =
  | { readonly id: number; readonly result: CommandResult<CommandName> }
  | { readonly event: EngineEvent };
