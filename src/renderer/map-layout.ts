/**
 * Where the network map draws each repository: on one circle, this one at the top, in the order
 * of the least-cost routes so children sit next to their parents (no link passes through a node).
 * Pure: the same map and size always give the same places.
 */
import type { NetworkMap } from '../shared/network';

export function layoutMap(
  map: NetworkMap,
  width: number,
  height: number,
): Map<string, { x: number; y: number }> {
  // in arborescence order, so children sit next to their parents
  const order: string[] = [];
  const visit = (u: string): void => {
    if (order.includes(u)) return;
    order.push(u);
    for (const e of map.arborescence) if (e.from === u) visit(e.to);
  };
  visit(map.root);
  for (const n of map.nodes) if (!order.includes(n.uuid)) order.push(n.uuid);
  // every repository on one circle, this one at the top: no link passes through a node
  const pos = new Map<string, { x: number; y: number }>();
  const r = Math.min(width, height) / 2 - 60;
  order.forEach((u, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(1, order.length);
    pos.set(u, {
      x: width / 2 + (order.length === 1 ? 0 : r * Math.cos(angle)),
      y: height / 2 + (order.length === 1 ? 0 : r * Math.sin(angle)),
    });
  });
  return pos;
}
