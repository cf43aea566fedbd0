/**
 * What to queue for a key, as data: the flood's uploads (every remote lacking and wanting it,
 * cheapest first), the routed hops (the minimum-cost arborescence of the links that can carry
 * it, from wherever it is now; a direct remote no route reaches still gets a direct upload, so
 * routing never delivers less than flooding), and the download from the cheapest holder. The
 * transferrer enqueues what these return; nothing here touches its queue.
 */
import type { MapEdge, NetworkMap, RouteHop } from '../../shared/network';
import type { AnnexBranch } from '../annex/branch';
import { whereIs } from '../annex/content';
import { findObject } from '../annex/object-store';
import { isRecentHolder } from '../annex/recent-holders';
import type { Repository } from '../annex/repository';
import { planRoute } from '../network/route';
import type { RemoteInfo } from '../remotes/git-remotes';
import { isPathUp } from '../remotes/registry';
import { transferId, type ForwardSource, type QueueItem } from './queue';
import type { Wanted } from './wanted';

export interface PlannerContext {
  readonly repo: Repository;
  readonly branch: AnnexBranch;
  readonly wanted: Wanted;
  /** holders of a key finished transfers recorded that the logs do not say yet */
  pending?(key: string): readonly string[];
  remotes(): ReadonlyMap<string, RemoteInfo>;
  /** the network map routes are planned on (undefined when flooding) */
  map(): NetworkMap | undefined;
  isAvailable(remote: string): boolean;
}

/** Who holds `key`: its location log, and what finished transfers recorded but did not write yet. */
export async function holdersOf(ctx: PlannerContext, key: string): Promise<string[]> {
  const logged = await whereIs(ctx.branch, key);
  const pending = ctx.pending?.(key) ?? [];
  return pending.length === 0 ? logged : [...new Set([...logged, ...pending])];
}

export function queueItem(
  direction: 'upload' | 'download',
  remote: RemoteInfo,
  key: string,
  file: string,
): QueueItem | undefined {
  if (!remote.uuid) return undefined;
  return {
    id: transferId(direction, remote.uuid, key),
    direction,
    key,
    file,
    remote: remote.name,
    remoteUuid: remote.uuid,
    queuedAt: Date.now(),
  };
}

/** Uploads of a present key to every remote that lacks it and wants it, cheapest first. */
export async function floodItems(
  ctx: PlannerContext,
  key: string,
  file: string,
): Promise<QueueItem[]> {
  const remotes = ctx.remotes();
  if (remotes.size === 0 || !(await findObject(ctx.repo, key))) return [];
  const have = await holdersOf(ctx, key);
  const out: QueueItem[] = [];
  for (const remote of [...remotes.values()].sort((a, b) => a.cost - b.cost)) {
    if (!remote.uuid || have.includes(remote.uuid)) continue;
    // it sent this key here, or it was fetched from: it has it (its log has not arrived yet)
    if (isRecentHolder(ctx.repo.annexdir, key, remote.uuid)) continue;
    if (!(await ctx.wanted.wants(remote.uuid, key, file, have))) continue;
    const item = queueItem('upload', remote, key, file);
    if (item) out.push(item);
  }
  return out;
}

/** The route this key's content takes from wherever it is now to every repository that wants it. */
export async function planFor(
  ctx: PlannerContext,
  key: string,
  file: string,
): Promise<{
  hops: RouteHop[];
  unreachable: string[];
  holders: Set<string>;
  wanting: Set<string>;
}> {
  const known = ctx.map();
  // Links whose far end vanished since the map was built are down now.
  const map = known && {
    ...known,
    edges: known.edges.map((e) => {
      const sender = known.nodes.find((n) => n.uuid === e.from)?.path;
      const isDown = (e.path && !isPathUp(e.path)) || (sender && !isPathUp(sender));
      return e.isUp && isDown ? { ...e, isUp: false } : e;
    }),
  };
  const holders = new Set(await holdersOf(ctx, key));
  for (const r of ctx.remotes().values())
    if (r.uuid && isRecentHolder(ctx.repo.annexdir, key, r.uuid)) holders.add(r.uuid);
  if (await findObject(ctx.repo, key)) holders.add(ctx.repo.uuid);
  else holders.delete(ctx.repo.uuid);
  const wanting = new Set<string>();
  if (!map) return { hops: [], unreachable: [], holders, wanting };
  const list = [...holders];
  for (const n of map.nodes)
    if (n.isReachable && (await ctx.wanted.wants(n.uuid, key, file, list))) wanting.add(n.uuid);
  const plan = planRoute(map, holders, wanting);
  return { hops: [...plan.hops], unreachable: [...plan.unreachable], holders, wanting };
}

/**
 * Routing: queue the hops of this key's planned route whose sender has the content now;
 * hops further on are queued as each one completes (the route is planned again then, so a
 * link that went down meanwhile is routed around). A direct remote the plan does not reach
 * still gets a direct upload: routing never delivers less than flooding.
 */
export async function routedItems(
  ctx: PlannerContext,
  key: string,
  file: string,
): Promise<QueueItem[]> {
  const map = ctx.map();
  const remotes = ctx.remotes();
  if (remotes.size === 0 || !map) return [];
  const { hops, holders, wanting } = await planFor(ctx, key, file);
  const edgeOf = (h: RouteHop): MapEdge | undefined =>
    map.edges.find((e) => e.from === h.from && e.to === h.to && e.remote === h.remote);
  const node = (uuid: string): { description: string; path: string | null } =>
    map.nodes.find((n) => n.uuid === uuid) ?? { description: uuid, path: null };
  const targets = new Set(hops.map((h) => h.to));
  const out: QueueItem[] = [];
  for (const hop of hops) {
    if (!holders.has(hop.from) || hop.to === ctx.repo.uuid) continue;
    const nextHops = hops.filter((h) => h.from === hop.to).map((h) => node(h.to).description);
    let item: QueueItem | undefined;
    if (hop.from === ctx.repo.uuid) {
      const remote = remotes.get(hop.remote);
      const base = remote ? queueItem('upload', remote, key, file) : undefined;
      item = base && { ...base, nextHops };
    } else {
      const from = node(hop.from);
      const targetPath = edgeOf(hop)?.path ?? null;
      if (from.path === null || targetPath === null) continue;
      const via: ForwardSource = {
        uuid: hop.from,
        description: from.description,
        top: from.path,
        targetPath,
      };
      item = {
        id: transferId('upload', hop.to, key),
        direction: 'upload',
        key,
        file,
        remote: hop.remote,
        remoteUuid: hop.to,
        queuedAt: Date.now(),
        via,
        nextHops,
      };
    }
    if (item) out.push(item);
  }
  // Fallback: a direct remote that wants the content but is on no route gets it directly.
  if (holders.has(ctx.repo.uuid)) {
    for (const remote of remotes.values()) {
      if (!remote.uuid || holders.has(remote.uuid) || targets.has(remote.uuid)) continue;
      if (!wanting.has(remote.uuid) && map.nodes.some((x) => x.uuid === remote.uuid)) continue;
      if (!(await ctx.wanted.wants(remote.uuid, key, file, [...holders]))) continue;
      const item = queueItem('upload', remote, key, file);
      if (item) out.push(item);
    }
  }
  return out;
}

/** The download of a missing, wanted key from the cheapest remote that has it. */
export async function downloadItem(
  ctx: PlannerContext,
  key: string,
  file: string,
  except: readonly string[] = [],
): Promise<QueueItem | 'no-source' | undefined> {
  if (await findObject(ctx.repo, key)) return undefined;
  const have = await holdersOf(ctx, key);
  if (!(await ctx.wanted.wants(ctx.repo.uuid, key, file, have))) return undefined;
  const sources = [...ctx.remotes().values()]
    .filter((r) => r.uuid && have.includes(r.uuid) && !except.includes(r.name))
    .sort(
      (a, b) =>
        Number(ctx.isAvailable(b.name)) - Number(ctx.isAvailable(a.name)) || a.cost - b.cost,
    );
  const source = sources[0];
  // wanted and missing, but no remote holds it yet (it is still on its way to one)
  return source ? queueItem('download', source, key, file) : 'no-source';
}
