/**
 * The transfer queue: totals and what is left per destination, then the transfers grouped by
 * state (those other programs run apart), virtualised, with progress, rate and controls; what
 * finished is folded, counted by file, and can be cleared from the view.
 */
import { useMemo, useState } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { formatBytes } from '../../shared/format';
import type { FerryApi } from '../../shared/ipc';
import type { TransferControlState, TransferSnapshot, TransferState } from '../../shared/transfers';
import { destinationOf, hereOf, queueTotals, shownRate, type QueueTotals } from '../queue-summary';
import type { FerryState } from '../store';

function formatEta(s: number | null): string {
  if (s === null) return '';
  if (s < 60) return `${s} s left`;
  if (s < 3600) return `${Math.round(s / 60)} min left`;
  return `${(s / 3600).toFixed(1)} h left`;
}

type Group = TransferState | 'external';

const GROUPS: readonly { state: Group; label: string }[] = [
  { state: 'running', label: 'Moving now' },
  { state: 'external', label: 'Moved by other programs' },
  { state: 'queued', label: 'Queued' },
  { state: 'waiting', label: 'Waiting' },
  { state: 'paused', label: 'Paused' },
  { state: 'failed', label: 'Failed, will retry' },
  { state: 'done', label: 'Done' },
  { state: 'cancelled', label: 'Cancelled' },
];

type Row =
  | { kind: 'group'; state: Group; label: string; count: number; note?: string }
  | { kind: 'destination'; label: string; count: number }
  | { kind: 'transfer'; t: TransferSnapshot };

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
      tabIndex={0}
    >
      <div style={{ height: items.length * rowHeight, position: 'relative' }}>
        {items.slice(first, last).map((item, i) => (
          <div
            key={first + i}
            role="listitem"
            // only the rows in view are drawn: each says where it is in the whole list
            aria-setsize={items.length}
            aria-posinset={first + i + 1}
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
export function transferFigures(t: TransferSnapshot, pct: number, rate = t.rate): string {
  const isAlreadyThere = t.state === 'done' && t.bytesDone === 0 && (t.size ?? 0) > 0;
  return [
    `${pct}%${t.size ? ` of ${formatBytes(t.size)}` : ''}`,
    isAlreadyThere ? 'it was already there' : '',
    t.state === 'running' && rate > 0 ? `${formatBytes(rate)}/s` : '',
    t.state === 'running' ? formatEta(t.etaSeconds) : '',
    t.reason ?? '',
    t.isExternal ? 'by another program' : '',
  ]
    .filter((part) => part !== '')
    .join(' · ');
}

function TransferRow({
  t,
  api,
  control,
  here,
}: {
  t: TransferSnapshot;
  api: FerryApi;
  control: TransferControlState;
  here: string;
}) {
  // a done transfer is complete, also when the content was there before it started
  const pct =
    t.state === 'done' ? 100 : t.size ? Math.min(100, Math.floor((t.bytesDone / t.size) * 100)) : 0;
  const route = [
    t.via ?? (t.direction === 'upload' ? here : t.remote),
    t.direction === 'upload' ? t.remote : here,
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
        <span className="t-figures">{transferFigures(t, pct, shownRate(t, control))}</span>
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

function Summary({
  totals,
  counts,
  isEmpty,
}: {
  totals: QueueTotals;
  counts: string;
  isEmpty: boolean;
}) {
  if (isEmpty) return <p className="summary">Nothing to move: every file is where it is wanted.</p>;
  const eta = formatEta(totals.etaSeconds);
  return (
    <div className="summary" aria-live="polite">
      <p>
        {totals.files === 0
          ? 'Nothing left to move.'
          : `${totals.files.toLocaleString('en-US')} ${totals.files === 1 ? 'file' : 'files'} to move: ${formatBytes(totals.bytesLeft)}${eta ? `, about ${eta}` : ''}`}
        {totals.external > 0 && ` · ${totals.external} moved by other programs`}
      </p>
      <p>{counts}</p>
      {totals.destinations.length > 0 && (
        <ul className="destinations" aria-label="Left to move, by destination">
          {totals.destinations.slice(0, 8).map((d) => (
            <li key={d.label}>
              {d.label}: {d.files.toLocaleString('en-US')} {d.files === 1 ? 'file' : 'files'},{' '}
              {formatBytes(d.bytesLeft)}
            </li>
          ))}
        </ul>
      )}
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
  const control = useStore(store, (s) => s.control);
  const repositories = useStore(store, (s) => s.repositories);
  const [isDoneOpen, setDoneOpen] = useState(false);
  const totals = useMemo(
    () => queueTotals(transfers.values(), control, repositories),
    [transfers, control, repositories],
  );
  const rows = useMemo(() => {
    const by = new Map<Group, TransferSnapshot[]>();
    for (const t of transfers.values()) {
      const g: Group =
        t.isExternal && t.state !== 'done' && t.state !== 'cancelled' ? 'external' : t.state;
      const list = by.get(g) ?? [];
      list.push(t);
      by.set(g, list);
    }
    const out: Row[] = [];
    for (const g of GROUPS) {
      const list = by.get(g.state);
      if (!list || list.length === 0) continue;
      // what just finished is what a user looks for: newest first
      if (g.state === 'done' || g.state === 'cancelled')
        list.sort((x, y) => (y.finishedAt ?? 0) - (x.finishedAt ?? 0));
      const note =
        g.state === 'done' && totals.doneCopies > totals.doneFiles
          ? `${totals.doneFiles} ${totals.doneFiles === 1 ? 'file' : 'files'}, ${totals.doneCopies} copies`
          : undefined;
      const count = g.state === 'done' ? totals.doneFiles : list.length;
      out.push({ kind: 'group', state: g.state, label: g.label, count, note });
      if (g.state === 'done' && !isDoneOpen) continue;
      if (g.state === 'done' || g.state === 'cancelled' || totals.destinations.length < 2) {
        for (const t of list) out.push({ kind: 'transfer', t });
        continue;
      }
      // several destinations: each one's transfers together, under its name (stable order)
      const byDestination = new Map<string, TransferSnapshot[]>();
      for (const t of list) {
        const d = destinationOf(t, repositories);
        const ts = byDestination.get(d);
        if (ts) ts.push(t);
        else byDestination.set(d, [t]);
      }
      for (const [label, ts] of [...byDestination].sort((a, b) => a[0].localeCompare(b[0]))) {
        out.push({ kind: 'destination', label, count: ts.length });
        for (const t of ts) out.push({ kind: 'transfer', t });
      }
    }
    return out;
  }, [transfers, isDoneOpen, totals, repositories]);
  const renderGroup = (r: Extract<Row, { kind: 'group' }>): React.ReactNode => (
    <h3 className="group">
      {r.label} <span className="muted">({r.note ?? r.count})</span>
      {r.state === 'done' && (
        <>
          {' '}
          <button
            type="button"
            className="quiet"
            aria-expanded={isDoneOpen}
            onClick={() => setDoneOpen(!isDoneOpen)}
          >
            {isDoneOpen ? 'Hide' : 'Show'}
          </button>{' '}
          <button type="button" className="quiet" onClick={() => store.getState().clearFinished()}>
            Clear
          </button>
        </>
      )}
    </h3>
  );
  return (
    <div className="transfers">
      <Summary
        totals={totals}
        isEmpty={transfers.size === 0}
        counts={rows
          .flatMap((r) => (r.kind === 'group' ? [`${r.count} ${r.label.toLowerCase()}`] : []))
          .join(' · ')}
      />
      {transfers.size > 0 && (
        <VirtualList
          items={rows}
          // no taller than its rows: a folded queue is one line
          height={Math.min(height, rows.length * ROW_HEIGHT + 2)}
          rowHeight={ROW_HEIGHT}
          label="Transfer queue"
          render={(r) =>
            r.kind === 'group' ? (
              renderGroup(r)
            ) : r.kind === 'destination' ? (
              <h4 className="destination">
                {r.label} <span className="muted">({r.count})</span>
              </h4>
            ) : (
              <TransferRow t={r.t} api={api} control={control} here={hereOf(r.t, repositories)} />
            )
          }
        />
      )}
    </div>
  );
}
