/**
 * Which link of the map each running transfer uses (pure): an upload from here goes over the
 * remote it names; content forwarded from another repository goes over that one's link to the
 * destination (the least-cost one when there are several); a download comes over the link from
 * the remote to here when the map has one, else over here's link to it.
 */
import type { MapEdge, NetworkMap } from '../shared/network';
import type { TransferSnapshot } from '../shared/transfers';

export const edgeKey = (e: MapEdge): string => `${e.from} ${e.to} ${e.remote}`;

export function activeEdges(map: NetworkMap, running: readonly TransferSnapshot[]): Set<string> {
  const inTree = new Set(map.arborescence.map(edgeKey));
  const byName = (n: string): string | undefined =>
    map.nodes.find((x) => x.description === n)?.uuid;
  const pick = (candidates: readonly MapEdge[]): MapEdge | undefined =>
    candidates.find((e) => inTree.has(edgeKey(e))) ?? candidates[0];
  const out = new Set<string>();
  for (const t of running) {
    let e: MapEdge | undefined;
    if (t.direction === 'upload' && t.via) {
      const from = byName(t.via);
      e = pick(map.edges.filter((x) => x.from === from && x.to === t.remoteUuid));
    } else if (t.direction === 'upload') {
      e = map.edges.find(
        (x) => x.from === map.root && x.to === t.remoteUuid && x.remote === t.remote,
      );
    } else {
      e =
        pick(map.edges.filter((x) => x.from === t.remoteUuid && x.to === map.root)) ??
        map.edges.find((x) => x.from === map.root && x.to === t.remoteUuid);
    }
    if (e) out.add(edgeKey(e));
  }
  return out;
}
