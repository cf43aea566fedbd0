/** What a folder is offered to sync with (the window's "sync with" list). */
import { existsSync } from 'node:fs';
import type { SyncOffer } from '../shared/ipc';
import { AnnexBranch } from './annex/branch';
import { parseUuidLog } from './annex/logs';
import type { Folder } from './folder';
import { listGitRemotes } from './remotes/git-remotes';

/**
 * What a folder could sync with: repositories on mounted drives that are not its remotes, and
 * the other folders Ferry syncs that belong to the same network (its git-annex branch knows
 * their UUID, so they are clones of one another) and are not its remotes yet.
 */
export async function offersFor(m: Folder, folders: readonly Folder[]): Promise<SyncOffer[]> {
  const remotes = await listGitRemotes(m.repo);
  const isRemote = (uuid: string, path: string): boolean =>
    remotes.some((r) => r.uuid === uuid || r.path === path);
  const known = parseUuidLog(await new AnnexBranch(m.repo).read('uuid.log'));
  const out: SyncOffer[] = [];
  for (const [path, d] of m.driveRepositories) {
    if (!existsSync(path) || isRemote(d.uuid, path)) continue;
    out.push({ path, uuid: d.uuid, description: d.description, source: 'drive' });
  }
  for (const other of folders) {
    if (other === m || !known.has(other.repo.uuid)) continue;
    if (isRemote(other.repo.uuid, other.repo.top)) continue;
    out.push({
      path: other.repo.top,
      uuid: other.repo.uuid,
      description: known.get(other.repo.uuid)?.value ?? other.repo.top,
      source: 'folder',
    });
  }
  return out;
}
