/**
 * The window's commands for what needs the user (engine.ts hands them on): a held mass
 * deletion applied or kept, a sync batch undone from the history, a conflict resolved by
 * keeping one version or naming each.
 */
import type { ActivityEntry, RepositoryView } from '../../shared/ipc';
import { keepAll, keepVersion, versionPath } from '../conflicts';
import type { Handlers } from '../dispatch';
import { FerryError } from '../errors';
import type { Folder } from '../folder';
import { decideDeletion } from '../sync/deletion-guard';
import { withRepositoryLock } from '../annex/repository-lock';
import { undoChanges } from '../sync/undo';

export interface AttentionHost {
  folderOf(repository: string): Folder;
  /** the activity entry `id` of a folder, while it is kept */
  entry(repository: string, id: number): ActivityEntry | undefined;
  view(m: Folder): Promise<RepositoryView>;
  note(repository: string, text: string): void;
  statusSoon(m: Folder): void;
  /** the desktop's way to open a file (absent headless) */
  readonly openPath?: (path: string) => Promise<void>;
}

type AttentionCommands =
  | 'decideDeletion'
  | 'undoSync'
  | 'keepConflictVersion'
  | 'renameConflictVersion'
  | 'openConflictVersion';

const count = (n: number): string => n.toLocaleString('en-US');

export function attentionHandlers(host: AttentionHost): Pick<Handlers, AttentionCommands> {
  const changed = (m: Folder): Promise<RepositoryView> => {
    host.statusSoon(m);
    return host.view(m);
  };
  return {
    decideDeletion: async ({ repository, id, action }) => {
      if (action !== 'apply' && action !== 'keep')
        throw new FerryError('usage', 'a held deletion is answered with apply or keep');
      const m = host.folderOf(repository);
      const held = decideDeletion(m.repo, id, action === 'keep');
      host.note(
        repository,
        action === 'keep'
          ? `keeping the ${count(held.deleted)} files ${held.from} deleted`
          : `applying the deletion of ${count(held.deleted)} files from ${held.from}`,
      );
      m.assistant.syncNow();
      m.assistant.refsMoved();
      return changed(m);
    },
    undoSync: async ({ repository, entry }) => {
      const m = host.folderOf(repository);
      const e = host.entry(repository, entry);
      if (!e?.undo) throw new FerryError('not-found', 'that history entry cannot be undone');
      const { before, after } = e.undo;
      await withRepositoryLock(m.repo, () => undoChanges(m.assistant.context, before, after));
      m.assistant.syncNow(); // the undo goes out to every remote
      return changed(m);
    },
    keepConflictVersion: async ({ repository, path, variant }) => {
      const m = host.folderOf(repository);
      await keepVersion(m.repo, path, variant);
      host.note(repository, `kept ${variant} as ${path}`);
      return changed(m);
    },
    openConflictVersion: async ({ repository, path, variant }) => {
      const m = host.folderOf(repository);
      const file = await versionPath(m.repo, path, variant);
      if (!host.openPath)
        throw new FerryError('usage', `open it on the machine Ferry runs on: ${file}`);
      await host.openPath(file);
      return null;
    },
    renameConflictVersion: async ({ repository, path, variant, name }) => {
      const m = host.folderOf(repository);
      await keepAll(m.repo, path, [{ variant, name }]);
      host.note(repository, `kept ${variant} as ${name}`);
      return changed(m);
    },
  };
}
