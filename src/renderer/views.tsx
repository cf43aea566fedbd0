/**
 * The window's views: repositories (with drives and the drop area), the transfer queue (grouped
 * by state, virtualised), the network map and the activity list. Every control has a label;
 * everything is reachable by keyboard.
 */
import { useMemo, useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { formatBytes } from '../shared/format';
import type { FerryApi, RepositoryView } from '../shared/ipc';
import type { MapEdge, NetworkMap } from '../shared/network';
import type { TransferSnapshot, TransferState } from '../shared/transfers';
import type { FerryState } from './store';

function formatEta(s: number | null): string {
  if (s === null) return '';
  if (s < 60) return `${s} s left`;
  if (s < 3600) return `${Math.round(s / 60)} min left`;
  return `${(s / 3600).toFixed(1)} h left`;
}

const STATE_LABEL: Record<RepositoryView['state'], string> = {
  idle: 'In sync',
  syncing: 'Syncing',
  paused: 'Paused',
  error: 'Needs attention',
  offline: 'Offline',
};

// ---------------------------------------------------------------- repositories

export function DropArea({
  api,
  isHeadless,
  pathForFile,
}: {
  api: FerryApi;
  isHeadless: boolean;
  pathForFile?: (file: File) => string;
}) {
  const [path, setPath] = useState('');
  const [message, setMessage] = useState<{ text: string; isError: boolean } | null>(null);
  const [isOver, setOver] = useState(false);
  const [isBusy, setBusy] = useState(false);
  const add = async (folder: string): Promise<void> => {
    if (folder.trim() === '') return;
    setBusy(true);
    setMessage({ text: `Adding ${folder}…`, isError: false });
    const r = await api.addFolder({ path: folder.trim() });
    setBusy(false);
    if (r.ok) {
      setMessage({ text: `Syncing ${r.value.top} (${r.value.description})`, isError: false });
      setPath('');
    } else setMessage({ text: r.error.message, isError: true });
  };
  const onDrop = (e: DragEvent<HTMLElement>): void => {
    e.preventDefault();
    setOver(false);
    const file = e.dataTransfer.files[0];
    const dropped = file && pathForFile ? pathForFile(file) : '';
    if (dropped) void add(dropped);
    else
      setMessage({
        text: 'Type the folder’s path below: this browser cannot see where a dropped folder lives.',
        isError: true,
      });
  };
  return (
    <section
      className={`drop${isOver ? ' over' : ''}`}
      aria-labelledby="drop-title"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <h2 id="drop-title">Add a folder</h2>
      <p>
        {isHeadless
          ? 'Type the path of a folder on this machine: Ferry makes it a repository (or adopts an existing git-annex repository) and starts syncing it.'
          : 'Drop a folder here, or type its path: Ferry makes it a repository (or adopts an existing git-annex repository) and starts syncing it.'}
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void add(path);
        }}
      >
        <label htmlFor="folder-path">Folder path</label>
        <input
          id="folder-path"
          name="folder-path"
          type="text"
          value={path}
          placeholder="/home/me/Pictures"
          onChange={(e) => setPath(e.target.value)}
          autoComplete="off"
          spellCheck={false}
        />
        <button type="submit" disabled={isBusy || path.trim() === ''}>
          Sync this folder
        </button>
      </form>
      {message && (
        <p role={message.isError ? 'alert' : 'status'} className={message.isError ? 'error' : ''}>
          {message.text}
        </p>
      )}
    </section>
  );
}

export function RepositoriesView({
  store,
  api,
  pathForFile,
}: {
  store: StoreApi<FerryState>;
  api: FerryApi;
  pathForFile?: (file: File) => string;
}) {
  const repositories = useStore(store, (s) => s.repositories);
  const drives = useStore(store, (s) => s.drives);
  const isHeadless = useStore(store, (s) => s.isHeadless);
  const offers = useStore(store, (s) => s.offers);
  const [offerMessage, setOfferMessage] = useState<{ text: string; isError: boolean } | null>(null);
  const syncWith = async (repository: string, path: string, description: string): Promise<void> => {
    const r = await api.syncWith({ repository, path });
    setOfferMessage(
      r.ok
        ? { text: `Now syncing with ${description}`, isError: false }
        : { text: r.error.message, isError: true },
    );
  };
  return (
    <div className="repositories">
      {repositories.length === 0 ? (
        <p className="empty">No folders are synced yet.</p>
      ) : (
        <ul aria-label="Repositories" className="cards">
          {repositories.map((r) => (
            <li key={r.uuid} className={`card state-${r.state}`}>
              <div className="card-head">
                <h3>{r.description}</h3>
                <span className={`badge state-${r.state}`}>{STATE_LABEL[r.state]}</span>
              </div>
              <p className="path">{r.top}</p>
              <p>
                {r.presentFiles} of {r.annexedFiles} files here ({formatBytes(r.presentBytes)})
              </p>
              {r.reason && <p className="reason">{r.reason}</p>}
              <ul aria-label={`Remotes of ${r.description}`} className="remotes">
                {r.remotes.map((x) => (
                  <li key={x.name} className={x.isAvailable ? 'up' : 'down'}>
                    {x.name}{' '}
                    <span className="muted">
                      (
                      {x.kind === 'unsupported'
                        ? 'not supported yet'
                        : x.isAvailable
                          ? 'reachable'
                          : 'offline'}
                      , cost {x.cost})
                    </span>
                    {x.kind === 'unsupported' && x.note && <p className="muted">{x.note}</p>}
                  </li>
                ))}
              </ul>
              {(offers[r.uuid] ?? []).length > 0 && (
                <div className="offers">
                  <p>Sync with:</p>
                  <ul aria-label={`Repositories ${r.description} could sync with`}>
                    {(offers[r.uuid] ?? []).map((o) => (
                      <li key={o.path}>
                        <button
                          type="button"
                          onClick={() => void syncWith(r.uuid, o.path, o.description)}
                          aria-label={`Sync ${r.description} with ${o.description}`}
                        >
                          {o.description}
                        </button>{' '}
                        <span className="muted">
                          {o.source === 'drive' ? 'on a drive' : 'another folder'} · {o.path}
                        </span>
                      </li>
                    ))}
                  </ul>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {offerMessage && (
        <p
          role={offerMessage.isError ? 'alert' : 'status'}
          className={offerMessage.isError ? 'error' : ''}
        >
          {offerMessage.text}
        </p>
      )}
      {drives.length > 0 && (
        <section aria-labelledby="drives-title">
          <h2 id="drives-title">Drives</h2>
          <ul className="drives">
            {drives.map((d) => (
              <li key={d.mountPoint} className={`drive ${d.state}`}>
                <strong>{d.remote}</strong> at {d.mountPoint}:{' '}
                {d.state === 'safe-to-unplug' ? 'safe to unplug' : 'syncing, do not unplug'}
              </li>
            ))}
          </ul>
        </section>
      )}
      <DropArea api={api} isHeadless={isHeadless} pathForFile={pathForFile} />
    </div>
  );
}

// ---------------------------------------------------------------- transfers

const GROUPS: readonly { state: TransferState; label: string }[] = [
  { state: 'running', label: 'Moving now' },
  { state: 'queued', label: 'Queued' },
  { state: 'waiting', label: 'Waiting' },
  { state: 'paused', label: 'Paused' },
  { state: 'failed', label: 'Failed, will retry' },
  { state: 'done', label: 'Done' },
  { state: 'cancelled', label: 'Cancelled' },
];

type Row =
  { kind: 'group'; label: string; count: number } | { kind: 'transfer'; t: TransferSnapshot };

export const ROW_HEIGHT = 52;

/** A list that renders only the rows in view (10,000 transfers stay smooth). */
export function VirtualList<T>({
  items,
  height,
  rowHeight,
  render,
  label,
}: {
  items: readonly T[];
  height: number;
  rowHeight: number;
  render: (item: T, index: number) => React.ReactNode;
  label: string;
}) {
  const [top, setTop] = useState(0);
  const overscan = 6;
  const first = Math.max(0, Math.floor(top / rowHeight) - overscan);
  const last = Math.min(items.length, Math.ceil((top + height) / rowHeight) + overscan);
  return (
    <div
      className="virtual"
      style={{ height, overflowY: 'auto', position: 'relative' }}
      onScroll={(e) => setTop(e.currentTarget.scrollTop)}
      role="list"
      aria-label={label}
      aria-rowcount={items.length}
      tabIndex={0}
    >
      <div style={{ height: items.length * rowHeight, position: 'relative' }}>
        {items.slice(first, last).map((item, i) => (
          <div
            key={first + i}
            role="listitem"
            style={{
              position: 'absolute',
              top: (first + i) * rowHeight,
              height: rowHeight,
              left: 0,
              right: 0,
            }}
          >
            {render(item, first + i)}
          </div>
        ))}
      </div>
    </div>
  );
}

/** The line under a transfer's bar: size, rate, time left, why it waits, who moves it. */
export function transferFigures(t: TransferSnapshot, pct: number): string {
  const isAlreadyThere = t.state === 'done' && t.bytesDone === 0 && (t.size ?? 0) > 0;
  return [
    `${pct}%${t.size ? ` of ${formatBytes(t.size)}` : ''}`,
    isAlreadyThere ? 'it was already there' : '',
    t.state === 'running' && t.rate > 0 ? `${formatBytes(t.rate)}/s` : '',
    t.state === 'running' ? formatEta(t.etaSeconds) : '',
    t.reason ?? '',
    t.isExternal ? 'by another program' : '',
  ]
    .filter((part) => part !== '')
    .join(' · ');
}

function TransferRow({ t, api }: { t: TransferSnapshot; api: FerryApi }) {
  // a done transfer is complete, also when the content was there before it started
  const pct =
    t.state === 'done' ? 100 : t.size ? Math.min(100, Math.floor((t.bytesDone / t.size) * 100)) : 0;
  const route = [
    t.via ?? (t.direction === 'upload' ? 'here' : t.remote),
    t.direction === 'upload' ? t.remote : 'here',
    ...t.nextHops,
  ];
  const canPause = t.state === 'running' || t.state === 'queued' || t.state === 'waiting';
  const canResume = t.state === 'paused' || t.state === 'failed';
  const canCancel = t.state !== 'done' && t.state !== 'cancelled' && !t.isExternal;
  return (
    <div className={`transfer state-${t.state}`} data-id={t.id}>
      <div className="t-main">
        <span className="t-file" title={t.file}>
          {t.direction === 'upload' ? '↑' : '↓'} {t.file}
        </span>
        <span className="t-route muted">{route.join(' → ')}</span>
      </div>
      <div className="t-progress">
        <progress max={100} value={pct} aria-label={`${t.file}: ${pct}%`} />
        <span className="t-figures">{transferFigures(t, pct)}</span>
      </div>
      <div className="t-actions">
        {canPause && !t.isExternal && (
          <button
            type="button"
            onClick={() => void api.pauseTransfer({ id: t.id })}
            aria-label={`Pause ${t.file}`}
          >
            Pause
          </button>
        )}
        {canResume && (
          <button
            type="button"
            onClick={() => void api.resumeTransfer({ id: t.id })}
            aria-label={`Resume ${t.file}`}
          >
            Resume
          </button>
        )}
        {canCancel && (
          <button
            type="button"
            onClick={() => void api.cancelTransfer({ id: t.id })}
            aria-label={`Cancel ${t.file}`}
          >
            Cancel
          </button>
        )}
      </div>
    </div>
  );
}

export function TransfersView({
  store,
  api,
  height = 520,
}: {
  store: StoreApi<FerryState>;
  api: FerryApi;
  height?: number;
}) {
  const transfers = useStore(store, (s) => s.transfers);
  const rows = useMemo(() => {
    const by = new Map<TransferState, TransferSnapshot[]>();
    for (const t of transfers.values()) {
      const list = by.get(t.state) ?? [];
      list.push(t);
      by.set(t.state, list);
    }
    const out: Row[] = [];
    for (const g of GROUPS) {
      const list = by.get(g.state);
      if (!list || list.length === 0) continue;
      out.push({ kind: 'group', label: g.label, count: list.length });
      for (const t of list) out.push({ kind: 'transfer', t });
    }
    return out;
  }, [transfers]);
  const counts = GROUPS.map((g) => ({
    ...g,
    n: rows.find((r) => r.kind === 'group' && r.label === g.label),
  }));
  return (
    <div className="transfers">
      <p className="summary" aria-live="polite">
        {transfers.size === 0
          ? 'Nothing to move: every file is where it is wanted.'
          : counts
              .filter((c) => c.n)
              .map((c) => `${c.n && c.n.kind === 'group' ? c.n.count : 0} ${c.label.toLowerCase()}`)
              .join(' · ')}
      </p>
      {transfers.size > 0 && (
        <VirtualList
          items={rows}
          height={height}
          rowHeight={ROW_HEIGHT}
          label="Transfer queue"
          render={(r) =>
            r.kind === 'group' ? (
              <h3 className="group">
                {r.label} <span className="muted">({r.count})</span>
              </h3>
            ) : (
              <TransferRow t={r.t} api={api} />
            )
          }
        />
      )}
    </div>
  );
}

// ---------------------------------------------------------------- network map

function layout(
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
  const pos = layout(map, W, H);
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
              <title>{`${name(e.from)} → ${name(e.to)} via "${e.remote}", cost ${e.cost}, ${e.isUp ? 'up' : 'down'}${tree ? ', on a least-cost route' : ''}`}</title>
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

// ---------------------------------------------------------------- activity

export function ActivityView({ store }: { store: StoreApi<FerryState> }) {
  const activity = useStore(store, (s) => s.activity);
  const repositories = useStore(store, (s) => s.repositories);
  if (activity.length === 0) return <p className="empty">Nothing has happened yet.</p>;
  return (
    <ol className="activity" aria-label="Activity" reversed>
      {[...activity].reverse().map((a, i) => (
        <li key={`${a.at}-${i}`} className={`entry ${a.kind}`}>
          <time dateTime={new Date(a.at).toISOString()}>{new Date(a.at).toLocaleTimeString()}</time>{' '}
          {a.repository && (
            <span className="muted">
              {repositories.find((r) => r.uuid === a.repository)?.description ?? ''}{' '}
            </span>
          )}
          {a.text}
        </li>
      ))}
    </ol>
  );
}

// ---------------------------------------------------------------- tabs

export type Tab = 'repositories' | 'transfers' | 'network' | 'activity';
export const TABS: readonly { id: Tab; label: string }[] = [
  { id: 'repositories', label: 'Folders' },
  { id: 'transfers', label: 'Transfers' },
  { id: 'network', label: 'Network' },
  { id: 'activity', label: 'Activity' },
];

export function Tabs({
  tab,
  onChange,
  counts,
}: {
  tab: Tab;
  onChange: (t: Tab) => void;
  counts: Partial<Record<Tab, number>>;
}) {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKey = (e: KeyboardEvent<HTMLButtonElement>, i: number): void => {
    const next =
      e.key === 'ArrowRight'
        ? i + 1
        : e.key === 'ArrowLeft'
          ? i - 1
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? TABS.length - 1
              : null;
    if (next === null) return;
    e.preventDefault();
    const j = (next + TABS.length) % TABS.length;
    onChange(TABS[j]?.id ?? 'repositories');
    refs.current[j]?.focus();
  };
  return (
    <div role="tablist" aria-label="Views" className="tabs">
      {TABS.map((t, i) => (
        <button
          key={t.id}
          ref={(el) => {
            refs.current[i] = el;
          }}
          role="tab"
          type="button"
          id={`tab-${t.id}`}
          aria-selected={tab === t.id}
          aria-controls={`panel-${t.id}`}
          tabIndex={tab === t.id ? 0 : -1}
          onClick={() => onChange(t.id)}
          onKeyDown={(e) => onKey(e, i)}
        >
          {t.label}
          {counts[t.id] ? <span className="count">{counts[t.id]}</span> : null}
        </button>
      ))}
    </div>
  );
}
