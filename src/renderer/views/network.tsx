/** The network map: repositories on a circle, links with costs, least-cost routes highlighted. */
import { useState } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { MapEdge } from '../../shared/network';
import type { FerryState } from '../store';

import { layoutMap } from '../map-layout';

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
  const inTree = new Set(map.arborescence.map((e) => `${e.from} ${e.to} ${e.remote}`));
  const running = [...transfers.values()].filter((t) => t.state === 'running');
  const byName = (n: string | null): string | undefined =>
    map.nodes.find((x) => x.description === n)?.uuid;
  const active = new Set(
    running.map((t) => {
      const from = t.direction === 'upload' ? (byName(t.via) ?? map.root) : t.remoteUuid;
      const to = t.direction === 'upload' ? t.remoteUuid : map.root;
      return `${from} ${to}`;
    }),
  );
  const edgeKey = (e: MapEdge): string => `${e.from} ${e.to} ${e.remote}`;
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
          const live = active.has(`${e.from} ${e.to}`);
          // bend each direction of a pair of links apart
          const mx = (a.x + b.x) / 2 + (b.y - a.y) * 0.08;
          const my = (a.y + b.y) / 2 - (b.x - a.x) * 0.08;
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
              <text x={mx} y={my - 4} className="cost">
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
          return (
            <g
              key={n.uuid}
              className={`node${n.isHere ? ' here' : ''}${n.isReachable ? '' : ' unreachable'}`}
              data-name={n.description}
            >
              <circle cx={p.x} cy={p.y} r={18} />
              <text x={p.x + ux * 28} y={p.y + uy * 30 + 5} textAnchor={anchor}>
                {n.description}
              </text>
              <title>{`${n.description}${n.path ? ` at ${n.path}` : ''}${n.isReachable ? '' : ' (not reachable from here)'}`}</title>
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
