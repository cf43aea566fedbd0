/** A plain, serialisable snapshot of one repository's state (for `ferry status --json` and the UI). */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { RepositoryStatus } from '../shared/types';
import { repoDescription } from './annex/add';
import { AnnexBranch } from './annex/branch';
import { parseUuidLog } from './annex/logs';
import { keySize } from './annex/key';
import { findObject } from './annex/object-store';
import { syncOps } from './os/fs-ops';
import type { Repository } from './annex/repository';
import { readSettings } from './annex/settings';
import { annexedFiles } from './annex/worktree';
import { currentBranch } from './git/read';
import { listGitRemotes } from './remotes/git-remotes';
import { availabilityOf, remoteKind } from './remotes/registry';
import { sshHistory } from './ssh/health';
import { unsupportedMessage } from './remotes/unsupported';

export async function repositoryStatus(repo: Repository): Promise<RepositoryStatus> {
  const branch = new AnnexBranch(repo);
  const files = repo.isBare ? [] : await annexedFiles(repo);
  let presentFiles = 0;
  let presentBytes = 0;
  for (const f of files) {
    const object = await findObject(repo, f.key, syncOps);
    if (object) {
      presentFiles++;
      presentBytes += keySize(f.key) ?? (await fsp.stat(object)).size;
    }
  }
  const pending = await fsp.readdir(join(repo.annexdir, 'journal')).catch(() => []);
  const settings = await readSettings(repo, branch);
  const names = parseUuidLog(await branch.read('uuid.log').catch(() => ''));
  return {
    uuid: repo.uuid,
    description: await repoDescription(repo, branch),
    top: repo.top,
    isBare: repo.isBare,
    branch: (await currentBranch(repo.git)) ?? null,
    annexedFiles: files.length,
    presentFiles,
    presentBytes,
    numcopies: settings.numcopies,
    pendingJournal: pending.length,
    remotes: (await listGitRemotes(repo)).map((r) => {
      const kind = remoteKind(r);
      const a = availabilityOf(r);
      const history = kind === 'ssh' ? sshHistory(r.url) : {};
      return {
        name: r.name,
        // an annex:: URL may hold a special remote's cipher: shown as its UUID only
        url: r.url.startsWith('annex::') ? `annex::${r.uuid ?? ''}` : r.url,
        uuid: r.uuid ?? null,
        description: (r.uuid && names.get(r.uuid)?.value) || null,
        cost: r.cost,
        isAvailable: r.isAvailable,
        kind,
        note:
          kind === 'unsupported' ? unsupportedMessage(r) : a.state === 'down' ? a.message : null,
        state: a.state === 'up' ? 'connected' : a.reason === 'unreachable' ? 'offline' : a.reason,
        downSince: history.since ?? null,
        lastSeen: history.lastUp ?? null,
      };
    }),
  };
}
