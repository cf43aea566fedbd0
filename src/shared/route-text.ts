/**
 * The network map in words (pure): for each repository, how content for it travels from here
 * along the least-cost routes ("content for C goes A → B → C, cost 200, instead of A → C,
 * 300"), or why it does not (offline, never reached, known only from the history).
 */
import type { MapEdge, MapNode, NetworkMap } from './network';

export interface RouteSentence {
  readonly uuid: string;
  readonly text: string;
  /** the repositories on the way, here first (empty when no route reaches it) */
  readonly path: readonly string[];
  readonly cost: number | null;
}

export function routeSentences(map: NetworkMap): RouteSentence[] {
  const node = (u: string): MapNode | undefined => map.nodes.find((n) => n.uuid === u);
  const name = (u: string): string => node(u)?.description ?? u.slice(0, 8);
  const parent = new Map<string, MapEdge>(map.arborescence.map((e) => [e.to, e]));
  const out: RouteSentence[] = [];
  for (const n of map.nodes) {
    if (n.uuid === map.root) continue;
    const hops: MapEdge[] = [];
    for (let at = n.uuid, guard = 0; at !== map.root && guard < map.nodes.length; guard++) {
      const e = parent.get(at);
      if (!e) break;
      hops.unshift(e);
      at = e.from;
    }
    const reached = hops.length > 0 && hops[0]?.from === map.root;
    if (!reached) {
      const text = n.neverReached
        ? `${n.description} was never reached: plug it in or check its address (remote "${n.description}")`
        : !n.isReachable
          ? `${n.description} is known only from the history: no link reaches it from here`
          : `${n.description} is offline: no link to it is up now`;
      out.push({ uuid: n.uuid, text, path: [], cost: null });
      continue;
    }
    const path = [map.root, ...hops.map((e) => e.to)];
    const cost = hops.reduce((c, e) => c + e.cost, 0);
    const direct = map.edges.find((e) => e.from === map.root && e.to === n.uuid && e.isUp);
    const instead =
      hops.length > 1 && direct
        ? `, instead of ${name(map.root)} → ${n.description}, ${direct.cost}`
        : '';
    out.push({
      uuid: n.uuid,
      text: `content for ${n.description} goes ${path.map(name).join(' → ')}, cost ${cost}${instead}`,
      path,
      cost,
    });
  }
  return out;
}
