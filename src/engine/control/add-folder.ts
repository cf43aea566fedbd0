/**
 * Adding a folder, as the window asks (engine.ts hands it on): checked first (folder-choice.ts),
 * adopted as it is when it is a git-annex repository (never re-described), else made one, then
 * synced. It can be cancelled while it runs (`cancelAddFolder`), and it gives up after a time
 * limit (a folder on a mount that stopped answering, a watch of a huge tree): either way the
 * folder ends up not synced, its files as they were, and the user is told so.
 */
import { basename } from 'node:path';
import type { RepositoryView } from '../../shared/ipc';
import { initRepository } from '../annex/init';
import { openRepository, type Repository } from '../annex/repository';
import { FerryError } from '../errors';
import type { Folder } from '../folder';
import { chooseFolder } from '../folder-choice';

export const ADD_FOLDER_TIMEOUT_MS = 60_000;

export interface AddFolderHost {
  /** starts syncing a repository (the folder already synced: that one) */
  manage(repo: Repository): Promise<Folder>;
  isSynced(top: string): boolean;
  /** stops syncing a folder and forgets it (files and repository left as they are) */
  forget(m: Folder): Promise<void>;
  /** the folder is synced now: remember it, tell the window */
  added(m: Folder): Promise<RepositoryView>;
  timeoutMs(): number | undefined;
}

export class FolderAdding {
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly host: AddFolderHost) {}

  /** Cancels the add of `path` under way; false when none is. */
  cancel(path: string): boolean {
    const c = this.running.get(path.trim());
    if (!c) return false;
    c.abort(new FerryError('cancelled', `adding ${path.trim()} was cancelled: it is not synced`));
    return true;
  }

  async add(args: {
    path: string;
    description?: string;
    create?: boolean;
    confirm?: boolean;
  }): Promise<RepositoryView> {
    const { path, description, create, confirm } = args;
    if (typeof path !== 'string' || path.trim() === '')
      throw new FerryError('usage', 'give the path of a folder to sync');
    const asked = path.trim();
    if (this.running.has(asked))
      throw new FerryError('lock-busy', `${asked} is being added already`);
    const controller = new AbortController();
    this.running.set(asked, controller);
    const limitMs = this.host.timeoutMs() ?? ADD_FOLDER_TIMEOUT_MS;
    const timer = setTimeout(
      () =>
        controller.abort(
          new FerryError(
            'timeout',
            `adding ${asked} took longer than ${Math.round(limitMs / 1000)} s (is the folder on a drive or share that stopped answering?): it is not synced`,
          ),
        ),
      limitMs,
    );
    const { signal } = controller;
    // the work goes on where it cannot be stopped; what it made is undone when it ends
    const work = (async () => {
      const { dir } = await chooseFolder(path, { create, confirm });
      signal.throwIfAborted();
      // an existing git-annex repository is adopted as it is: never re-described
      const existing = await openRepository(dir).catch(() => undefined);
      const repo =
        existing && existing.top === dir
          ? existing
          : (await initRepository(dir, { description: description ?? basename(dir) })).repo;
      signal.throwIfAborted();
      const wasSynced = this.host.isSynced(repo.top);
      const m = await this.host.manage(repo);
      if (signal.aborted && !wasSynced) {
        await this.host.forget(m);
        signal.throwIfAborted();
      }
      return this.host.added(m);
    })();
    try {
      return await Promise.race([
        work,
        new Promise<never>((_, reject) => {
          signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
        }),
      ]);
    } finally {
      clearTimeout(timer);
      this.running.delete(asked);
      work.catch(() => undefined);
    }
  }
}
