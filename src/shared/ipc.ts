/**
 * The contract between the engine (Electron main or the headless server) and the renderer:
 * one entry per command with its argument and result, and the events the engine emits.
 * Everything here is plain serialisable data.
 */
import type { ErrorCode } from './errors';
import type { SyncEvent } from './events';
import type { NetworkEvent } from './network';
import type { TransferEvent } from './transfers';
import type { RepositoryStatus } from './types';

export interface Commands {
  /** Snapshot of every repository Ferry manages. */
  listRepositories: { args: void; result: readonly RepositoryStatus[] };
  /** Adds a folder: makes it a repository (or adopts an existing one). */
  addFolder: { args: { path: string; description?: string }; result: RepositoryStatus };
}

export type CommandName = keyof Commands;

export type EngineEvent =
  | SyncEvent
  | TransferEvent
  | NetworkEvent
  | { readonly type: 'repository-changed'; readonly status: RepositoryStatus; readonly at: number }
  | {
      readonly type: 'error-raised';
      readonly code: ErrorCode;
      readonly message: string;
      readonly at: number;
    };

export type CommandResult<K extends CommandName> =
  | { readonly ok: true; readonly value: Commands[K]['result'] }
  | { readonly ok: false; readonly error: { readonly code: ErrorCode; readonly message: string } };

/** The API the preload exposes (and the WebSocket bridge implements): one function per command. */
export type FerryApi = {
  readonly [K in CommandName]: (args: Commands[K]['args']) => Promise<CommandResult<K>>;
} & {
  readonly on: (listener: (event: EngineEvent) => void) => () => void;
};

export const COMMAND_NAMES: readonly CommandName[] = ['listRepositories', 'addFolder'];
export const IPC_COMMAND_CHANNEL = 'ferry:command';
export const IPC_EVENT_CHANNEL = 'ferry:event';
