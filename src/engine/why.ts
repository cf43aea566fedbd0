/**
 * "Why isn't it synced?": for each annexed file, each repository that wants its content and
 * lacks it, with one reason: the remote is offline, the transfer waits for a slot, is paused, is
 * moving, failed (the error and the next retry), nobody reachable has the content, or the file
 * is in a conflict. From the location logs, preferred content and, when an assistant runs, its
 * transfers. What a remote's preferred content leaves out is not out of sync; asked about
 * particular files, that is said too.
 */
import type { AnnexBranch } from './annex/branch';
import { whereIs } from './annex/content';
import { findObject } from './annex/object-store';
import type { Repository } from './annex/repository';
import { annexedFiles } from './annex/worktree';
import { readIndex } from './git/index-file';
import { listGitRemotes } from './remotes/git-remotes';
import { availabilityOf, remoteKind } from './remotes/registry';
import { Wanted } from './transfer/wanted';
import type { OutOfSync } from '../shared/types';
import type { TransferControlState, TransferSnapshot } from '../shared/transfers';

const VARIANT = /\.variant-[0-9a-f]{4,}(\.|$)/;

export interface WhyOptions {
  /** only files under these paths (relative to the top) */
  readonly under?: readonly string[];
  /** the running assistant's transfers, when there is one */
  readonly transfers?: readonly TransferSnapshot[];
  readonly control?: TransferControlState;
  readonly limit?: number;
}

function reasonOf(
  t: TransferSnapshot | undefined,
  control: TransferControlState | undefined,
  remote: string,
): Pick<OutOfSync, 'reason' | 'text' | 'nextRetryAt'> {
  const paused = control && (control.isPaused || control.pausedRemotes.includes(remote));
  if (t?.state === 'running')
    return { reason: 'moving', text: `moving now (${remote})`, nextRetryAt: null };
  if (t?.state === 'paused' || paused)
    return { reason: 'paused', text: `transfers with ${remote} are paused`, nextRetryAt: null };
  if (t?.state === 'failed')
    return {
      reason: 'failed',
      text: `failed: ${t.reason ?? 'no reason given'}${t.nextRetryAt ? '; it is tried again' : ''}`,
      nextRetryAt: t.nextRetryAt,
    };
  if (t?.state === 'waiting')
    return {
      reason: 'waiting',
      text: t.reason ?? `waiting for ${remote}`,
      nextRetryAt: t.nextRetryAt,
    };
  if (t?.state === 'queued')
    return { reason: 'queued', text: `waiting for a free slot to ${remote}`, nextRetryAt: null };
  return { reason: 'queued', text: `not sent to ${remote} yet`, nextRetryAt: null };
}

export async function whyNotSynced(
  repo: Repository,
  branch: AnnexBranch,
  o: WhyOptions = {},
): Promise<OutOfSync[]> {
  const limit = o.limit ?? 500;
  const remotes = (await listGitRemotes(repo)).filter(
    (r) => r.uuid && !r.isIgnored && remoteKind(r) !== 'unsupported',
  );
  const wanted = new Wanted(repo, branch);
  const byKey = new Map<string, TransferSnapshot[]>();
  for (const t of o.transfers ?? []) byKey.set(t.key, [...(byKey.get(t.key) ?? []), t]);
  const out: OutOfSync[] = [];
  const files = (await annexedFiles(repo)).filter(
    (f) => !o.under || o.under.some((u) => u === '' || f.path === u || f.path.startsWith(`${u}/`)),
  );
  for (const f of files) {
    if (out.length >= limit) break;
    if (VARIANT.test(f.path)) {
      out.push({
        path: f.path,
        key: f.key,
        remote: null,
        reason: 'conflict',
        text: 'one side of a conflict: both versions were kept',
        nextRetryAt: null,
      });
      continue;
    }
    const have = await whereIs(branch, f.key);
    const here = (await findObject(repo, f.key)) !== undefined;
    const transfers = byKey.get(f.key) ?? [];
    if (!here && (await wanted.wants(repo.uuid, f.key, f.path, have).catch(() => false))) {
      const sources = remotes.filter((r) => have.includes(r.uuid ?? ''));
      const up = sources.filter((r) => availabilityOf(r).state === 'up');
      const t = transfers.find((x) => x.direction === 'download');
      out.push({
        path: f.path,
        key: f.key,
        remote: null,
        ...(sources.length === 0
          ? {
              reason: 'no-copy',
              text: 'no remote of this folder has its content',
              nextRetryAt: null,
            }
          : up.length === 0
            ? {
                reason: 'offline',
                text: `its content is on ${sources.map((r) => r.name).join(', ')}, offline now`,
                nextRetryAt: null,
              }
            : reasonOf(t, o.control, t?.remote ?? up[0]?.name ?? '')),
      });
    }
    for (const r of remotes) {
      if (have.includes(r.uuid ?? '')) continue;
      if (!(await wanted.wants(r.uuid ?? '', f.key, f.path, have).catch(() => false))) {
        // asked about these files: that a remote does not want one is the answer too
        if (o.under)
          out.push({
            path: f.path,
            key: f.key,
            remote: r.name,
            reason: 'not-wanted',
            text: `${r.name}'s preferred content does not want it`,
            nextRetryAt: null,
          });
        continue;
      }
      const a = availabilityOf(r);
      const t = transfers.find((x) => x.direction === 'upload' && x.remote === r.name);
      out.push({
        path: f.path,
        key: f.key,
        remote: r.name,
        ...(a.state === 'down'
          ? { reason: 'offline', text: `${r.name} is offline: ${a.message}`, nextRetryAt: null }
          : !here && !t
            ? {
                reason: 'no-copy',
                text: `the content is not here to send to ${r.name}`,
                nextRetryAt: null,
              }
            : reasonOf(t, o.control, r.name)),
      });
      if (out.length >= limit) break;
    }
  }
  if (o.under) {
    // asked about files git keeps itself (annex.largefiles left them small): they go with the history
    const annexed = new Set(files.map((f) => f.path));
    for (const e of await readIndex(repo.gitdir)) {
      if (out.length >= limit) break;
      if (e.stage !== 0 || annexed.has(e.path) || (e.mode & 0o170000) !== 0o100000) continue;
      if (!o.under.some((u) => u === '' || e.path === u || e.path.startsWith(`${u}/`))) continue;
      out.push({
        path: e.path,
        key: '',
        remote: null,
        reason: 'in-git',
        text: 'kept in git (annex.largefiles): it travels with the history, not as content',
        nextRetryAt: null,
      });
    }
  }
  return out;
}
