/**
 * The network map: repositories on a circle, links with costs at their arrows, least-cost
 * routes highlighted, the link each running transfer uses marked, offline and never-reached
 * repositories shown; then the map in words and as a table (network-table.tsx).
 */
import { useState } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { FerryState } from '../store';
import { activeEdges, edgeKey } from '../map-active';
import { layoutMap } from '../map-layout';
import { holdingsOf, MapWords } from './network-table';

/** A point of the quadratic curve from a over m to b, at t. */
function along(
  a: { x: number; y: number },
  m: { x: number; y: number },
  b: { x: number; y: number },
  t: number,
): { x: number; y: number } {
  const u = 1 - t;
  return {
    x: u * u * a.x + 2 * u * t * m.x + t * t * b.x,
    y: u * u * a.y + 2 * u * t * m.y + t * t * b.y,
  };
}

export function NetworkView({ store }: { store: StoreApi<FerryState> }) {
  const maps = useStore(store, (s) => s.maps);
  const repositories = useStore(store, (s) => s.repositories);
  const transfers = useStore(store, (s) => s.transfers);
  const roots = Object.keys(maps);
  const [chosen, setChosen] = useState<string | null>(null);
  const root = chosen && maps[chosen] ? chosen : roots[0];
  const map = root ? maps[root] : undefined;
  if (!map) return <p className="empty">The network map appears once a folder is synced.</p>;
  const W = 720;
  const H = 460;
  const pos = layoutMap(map, W, H);
  const name = (u: string): string =>
    map.nodes.find((n) => n.uuid === u)?.description ?? u.slice(0, 8);
  const inTree = new Set(map.arborescence.map(edgeKey));
  const running = [...transfers.values()].filter(
    (t) => t.state === 'running' && (!t.repository || t.repository === root),
  );
  const active = activeEdges(map, running);
  const here = repositories.find((r) => r.uuid === root);
  return (
    <div className="network">
      {roots.length > 1 && (
        <label className="map-of">
          Map of{' '}
          <select value={root} onChange={(e) => setChosen(e.target.value)}>
            {roots.map((u) => (
              <option key={u} value={u}>
                {repositories.find((r) => r.uuid === u)?.description ?? u}
              </option>
            ))}
          </select>
        </label>
      )}
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`Network map: ${map.nodes.length} repositories, ${map.edges.length} links, ${map.arborescence.length} on least-cost routes`}
        className="map"
      >
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 10 10"
            refX="30"
            refY="5"
            markerUnits="userSpaceOnUse"
            markerWidth="10"
            markerHeight="10"
            orient="auto"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" className="arrowhead" />
          </marker>
        </defs>
        {map.edges.map((e) => {
          const a = pos.get(e.from);
          const b = pos.get(e.to);
          if (!a || !b) return null;
          const tree = inTree.has(edgeKey(e));
          const live = active.has(edgeKey(e));
          // bend each direction of a pair of links apart
          const mx = (a.x + b.x) / 2 + (b.y - a.y) * 0.08;
          const my = (a.y + b.y) / 2 - (b.x - a.x) * 0.08;
          // the cost on its own curve, toward the arrow it belongs to
          const label = along(a, { x: mx, y: my }, b, 0.62);
          return (
            <g
              key={edgeKey(e)}
              className={`edge${tree ? ' tree' : ''}${e.isUp ? '' : ' down'}${live ? ' active' : ''}`}
              data-from={name(e.from)}
              data-to={name(e.to)}
            >
              <path
                d={`M ${a.x} ${a.y} Q ${mx} ${my} ${b.x} ${b.y}`}
                markerEnd="url(#arrow)"
                fill="none"
              />
              <text x={label.x} y={label.y - 4} className="cost" textAnchor="middle">
                {e.cost}
              </text>
              <title>{`${name(e.from)} → ${name(e.to)} via "${e.remote}", cost ${e.cost}, ${e.isUp ? 'up' : 'down'}${e.link ? `, ${e.link}` : ''}${tree ? ', on a least-cost route' : ''}`}</title>
            </g>
          );
        })}
        {map.nodes.map((n) => {
          const p = pos.get(n.uuid);
          if (!p) return null;
          // the name on the outer side of the circle, away from the links that meet in the middle
          const dx = p.x - W / 2;
          const dy = p.y - H / 2;
          const len = Math.hypot(dx, dy);
          const ux = len > 0 ? dx / len : 0;
          const uy = len > 0 ? dy / len : 1;
          const anchor = Math.abs(ux) < 0.35 ? 'middle' : ux > 0 ? 'start' : 'end';
          // kept inside the picture: a name's width is guessed at 8 units a character
          const width = n.description.length * 8;
          const lx = p.x + ux * 28;
          const x =
            anchor === 'start'
              ? Math.min(lx, W - width - 4)
              : anchor === 'end'
                ? Math.max(lx, width + 4)
                : Math.min(Math.max(lx, width / 2 + 4), W - width / 2 - 4);
          const y = Math.min(Math.max(p.y + uy * 30 + 5, 14), H - 6);
          const holds = holdingsOf(n.uuid, map, here);
          return (
            <g
              key={n.uuid}
              className={`node${n.isHere ? ' here' : ''}${n.isReachable ? '' : ' unreachable'}${n.neverReached ? ' never' : ''}`}
              data-name={n.description}
            >
              <circle cx={p.x} cy={p.y} r={18} />
              <text x={x} y={y} textAnchor={anchor}>
                {n.description}
              </text>
              <title>{`${n.description}${n.path ? ` at ${n.path}` : ''}${n.neverReached ? ' (never reached)' : n.isReachable ? '' : ' (not reachable from here)'}${holds ? `: ${holds}` : ''}`}</title>
            </g>
          );
        })}
      </svg>
      <ul className="legend" aria-label="Legend">
        <li>
          <span className="swatch tree" /> least-cost route (content goes this way)
        </li>
        <li>
          <span className="swatch" /> other link
        </li>
        <li>
          <span className="swatch down" /> link down
        </li>
        <li>
          <span className="swatch active" /> moving now
        </li>
      </ul>
      <MapWords map={map} here={here} active={active} />
      {running.length > 0 && (
        <ul aria-label="Next hops" className="hops">
          {running.slice(0, 5).map((t) => (
            <li key={t.id}>
              {t.file}: {t.via ?? 'here'} → {t.remote}
              {t.nextHops.length > 0 ? `, then ${t.nextHops.join(', ')}` : ''}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
