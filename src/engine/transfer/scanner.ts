/**
 * Scans as data: what one remote needs of every annexed file (an upload of what is here and it
 * lacks and wants, a download of what it has and this repository lacks and wants), one item at a
 * time so the first transfer can start before the scan ends.
 */
import { findObject } from '../annex/object-store';
import { annexedFiles } from '../annex/worktree';
import type { RemoteInfo } from '../remotes/git-remotes';
import { holdersOf, queueItem, type PlannerContext } from './planner';
import type { QueueItem } from './queue';

export async function* remoteScanItems(
  ctx: PlannerContext,
  info: RemoteInfo,
  signal?: AbortSignal,
): AsyncGenerator<QueueItem> {
  const uuid = info.uuid;
  if (!uuid) return;
  for (const f of await annexedFiles(ctx.repo)) {
    signal?.throwIfAborted();
    const have = await holdersOf(ctx, f.key);
    let item: QueueItem | undefined;
    if (await findObject(ctx.repo, f.key)) {
      if (!have.includes(uuid) && (await ctx.wanted.wants(uuid, f.key, f.path, have)))
        item = queueItem('upload', info, f.key, f.path);
    } else if (
      have.includes(uuid) &&
      (await ctx.wanted.wants(ctx.repo.uuid, f.key, f.path, have))
    ) {
      item = queueItem('download', info, f.key, f.path);
    }
    if (item) yield item;
  }
}
