/**
 * The desktop shell's logic, written against small interfaces so it is tested without Electron.
 * electron-app.ts is the only file that imports electron and supplies the real implementations.
 */
import { initRepository } from '../engine/annex/init';
import { openRepository } from '../engine/annex/repository';
import { FerryError } from '../engine/errors';
import { repositoryStatus } from '../engine/status';
import type { CommandName, CommandResult, Commands } from '../shared/ipc';
import type { RepositoryStatus } from '../shared/types';

export type TrayState = 'idle' | 'syncing' | 'paused' | 'error' | 'offline';

export interface TrayPort {
  setState(state: TrayState, tooltip: string): void;
}

export type Handlers = {
  [K in CommandName]: (args: Commands[K]['args']) => Promise<Commands[K]['result']>;
};

/** Pure: what the tray says for a set of repositories. */
export function trayStateFor(repos: readonly RepositoryStatus[]): {
  state: TrayState;
  tooltip: string;
} {
  if (repos.length === 0) return { state: 'idle', tooltip: 'Ferry: no folders yet' };
  const offline = repos.every(
    (r) => r.remotes.length > 0 && r.remotes.every((x) => !x.isAvailable),
  );
  if (offline) return { state: 'offline', tooltip: 'Ferry: no remote is reachable' };
  const pending = repos.reduce((n, r) => n + r.pendingJournal, 0);
  if (pending > 0) return { state: 'syncing', tooltip: `Ferry: ${pending} changes to record` };
  return {
    state: 'idle',
    tooltip: `Ferry: ${repos.length} ${repos.length === 1 ? 'folder' : 'folders'} in sync`,
  };
}

export function createHandlers(folders: string[]): Handlers {
  return {
    async listRepositories() {
      const out: RepositoryStatus[] = [];
      for (const folder of folders) out.push(await repositoryStatus(await openRepository(folder)));
      return out;
    },
    async addFolder({ path, description }) {
      const { repo } = await initRepository(path, { description });
      if (!folders.includes(repo.top)) folders.push(repo.top);
      return repositoryStatus(repo);
    },
  };
}

/** Runs a handler and turns errors into the contract's error shape. */
export async function dispatch<K extends CommandName>(
  handlers: Handlers,
  name: K,
  args: Commands[K]['args'],
): Promise<CommandResult<K>> {
  try {
    const handler = handlers[name] as (a: Commands[K]['args']) => Promise<Commands[K]['result']>;
    return { ok: true, value: await handler(args) };
  } catch (e) {
    const err =
      e instanceof FerryError
        ? e
        : new FerryError('io-error', e instanceof Error ? e.message : String(e));
    return { ok: false, error: { code: err.code, message: err.message } };
  }
}
