/**
 * Routing one key's content through the network map. Pure functions.
 *
 * `planRoute` builds the minimum-cost arborescence of the links content can actually travel for
 * this key: a link may carry it only if its sender holds the content or will receive it (wants
 * it); every repository that holds the content is a free source (this repository can drive a
 * transfer out of any local repository on the map; links leaving a repository elsewhere are not
 * driven from here). The hops are the tree edges on the way to
 * every repository that wants the content and lacks it, parents before children.
 *
 * `floodTransfers` is the baseline: what happens when every repository sends to each of its
 * remotes that lacks and wants the content as soon as it has it (the git-annex assistant's way),
 * round by round, counting the duplicates that concurrent senders cause.
 */
import type { MapEdge, NetworkMap, RouteHop } from '../../shared/network';
import { minimumArborescence } from './arborescence';

export interface RoutePlan {
  /** transfers to make, parents before children */
  readonly hops: readonly RouteHop[];
  /** repositories that want the content but no link that is up can bring it to */
  readonly unreachable: readonly string[];
  /** sum of the hops' costs */
  readonly cost: number;
}

interface PlanEdge extends MapEdge {
  readonly isVirtual: boolean;
}

export function planRoute(
  map: NetworkMap,
  holders: ReadonlySet<string>,
  wanting: ReadonlySet<string>,
): RoutePlan {
  const root = map.root;
  const local = new Set(map.nodes.filter((n) => n.path !== null).map((n) => n.uuid));
  const edges: PlanEdge[] = [];
  // holders on this machine are free sources: a zero-cost virtual link from the root
  for (const h of holders)
    if (h !== root && local.has(h))
      edges.push({
        from: root,
        to: h,
        cost: 0,
        remote: '',
        isUp: true,
        path: null,
        isVirtual: true,
      });
  for (const e of map.edges) {
    if (!e.isUp || holders.has(e.to)) continue;
    // only this repository and the others on this machine send on our behalf: a host's own
    // links (drawn from what it told us) are not ours to drive
    const isDriven = e.from === root || local.has(e.from);
    const canCarry = isDriven && (holders.has(e.from) || (e.from !== root && wanting.has(e.from)));
    if (canCarry) edges.push({ ...e, isVirtual: false });
  }
  const tree = minimumArborescence(root, edges);
  const parent = new Map(tree.map((e) => [e.to, e]));
  const needed = new Set<PlanEdge>();
  const unreachable: string[] = [];
  for (const w of wanting) {
    if (holders.has(w) || w === root) continue;
    if (!parent.has(w)) {
      unreachable.push(w);
      continue;
    }
    for (let e = parent.get(w); e && !e.isVirtual && !needed.has(e); e = parent.get(e.from))
      needed.add(e);
  }
  // parents before children: order by depth in the tree
  const depth = (uuid: string): number => {
    let d = 0;
    for (let e = parent.get(uuid); e; e = parent.get(e.from)) d++;
    return d;
  };
  const hops = [...needed]
    .sort((a, b) => depth(a.to) - depth(b.to))
    .map(({ from, to, remote, cost }) => ({ from, to, remote, cost }));
  return { hops, unreachable, cost: hops.reduce((s, h) => s + h.cost, 0) };
}

/** The transfers flooding makes, round by round, duplicates included. */
export function floodTransfers(
  map: NetworkMap,
  holders: ReadonlySet<string>,
  wanting: ReadonlySet<string>,
): RouteHop[] {
  const have = new Set(holders);
  let frontier = [...holders];
  const sent: RouteHop[] = [];
  while (frontier.length > 0) {
    const arrived = new Set<string>();
    for (const u of frontier) {
      for (const e of map.edges) {
        if (e.from !== u || !e.isUp || have.has(e.to) || !wanting.has(e.to)) continue;
        sent.push({ from: e.from, to: e.to, remote: e.remote, cost: e.cost });
        arrived.add(e.to);
      }
    }
    for (const a of arrived) have.add(a);
    frontier = [...arrived];
  }
  return sent;
}
