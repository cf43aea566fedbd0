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
import { annexedFiles, type AnnexedFile } from './annex/worktree';
import { whereIs } from './annex/content';
import { Wanted } from './transfer/wanted';
import { currentBranch } from './git/read';
import { listGitRemotes, type RemoteInfo } from './remotes/git-remotes';
import { availabilityOf, remoteKind } from './remotes/registry';
import { sshHistory } from './ssh/health';
import { unsupportedMessage } from './remotes/unsupported';
import { heldDeletions } from './sync/deletion-guard';
import { listConflicts } from './conflicts';

/** Per remote (by UUID): the files it wants and lacks, and their bytes. */
async function lacking(
  repo: Repository,
  branch: AnnexBranch,
  files: readonly AnnexedFile[],
  remotes: readonly RemoteInfo[],
): Promise<Map<string, { files: number; bytes: number }>> {
  const wanted = new Wanted(repo, branch);
  const out = new Map<string, { files: number; bytes: number }>();
  const uuids = [...new Set(remotes.map((r) => r.uuid).filter((u): u is string => !!u))];
  for (const u of uuids) out.set(u, { files: 0, bytes: 0 });
  for (const f of files) {
    const have = await whereIs(branch, f.key);
    for (const u of uuids) {
      if (have.includes(u) || !(await wanted.wants(u, f.key, f.path, have).catch(() => false)))
        continue;
      const n = out.get(u) ?? { files: 0, bytes: 0 };
      out.set(u, { files: n.files + 1, bytes: n.bytes + (keySize(f.key) ?? 0) });
    }
  }
  return out;
}

/**
 * `withLacks`: count what each remote lacks of what it wants (a location log read per file: the
 * window's cards ask for it; `ferry status` only with --lacks).
 */
export async function repositoryStatus(
  repo: Repository,
  options: { withLacks?: boolean } = {},
): Promise<RepositoryStatus> {
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
  const remotes = await listGitRemotes(repo);
  const lacks = options.withLacks
    ? await lacking(repo, branch, files, remotes)
    : new Map<string, { files: number; bytes: number }>();
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
    held: heldDeletions(repo),
    conflicts: await listConflicts(repo),
    remotes: remotes.map((r) => {
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
        ...(r.uuid && lacks.has(r.uuid) ? { lacks: lacks.get(r.uuid) } : {}),
      };
    }),
  };
}
