/** The activity list: what happened, newest first; a sync batch can be undone from it. */
import { useState } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { ActivityEntry, FerryApi } from '../../shared/ipc';
import type { FerryState } from '../store';

/** "Undo", asked twice: the batch's changes are reverted in a new commit, on every clone. */
function Undo({ api, entry }: { api: FerryApi; entry: ActivityEntry }) {
  const [isAsking, setAsking] = useState(false);
  const [outcome, setOutcome] = useState<string | null>(null);
  if (!entry.repository || entry.id === undefined) return null;
  const { repository, id } = entry;
  if (outcome) return <span className="muted"> {outcome}</span>;
  if (!isAsking)
    return (
      <>
        {' '}
        <button type="button" className="quiet" onClick={() => setAsking(true)}>
          Undo
        </button>
      </>
    );
  return (
    <span role="group" aria-label="Undo this sync">
      {' '}
      Put the files back as they were before it?{' '}
      <button
        type="button"
        onClick={() =>
          void api.undoSync({ repository, entry: id }).then((r) => {
            setAsking(false);
            setOutcome(r.ok ? 'undone' : r.error.message);
          })
        }
      >
        Undo this sync
      </button>{' '}
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

export function ActivityView({ store, api }: { store: StoreApi<FerryState>; api?: FerryApi }) {
  const activity = useStore(store, (s) => s.activity);
  const repositories = useStore(store, (s) => s.repositories);
  if (activity.length === 0) return <p className="empty">Nothing has happened yet.</p>;
  return (
    <ol className="activity" aria-label="Activity" reversed>
      {[...activity].reverse().map((a, i) => (
        <li key={a.id ?? `${a.at}-${i}`} className={`entry ${a.kind}`}>
          <time dateTime={new Date(a.at).toISOString()}>{new Date(a.at).toLocaleTimeString()}</time>{' '}
          {a.repository && (
            <span className="muted">
              {repositories.find((r) => r.uuid === a.repository)?.description ?? ''}{' '}
            </span>
          )}
          {a.text}
          {a.files && a.files.length > 0 && <span className="files">: {a.files.join(', ')}</span>}
          {(a.count ?? 1) > 1 && <span className="muted"> ×{a.count}</span>}
          {api && a.undo && <Undo api={api} entry={a} />}
        </li>
      ))}
    </ol>
  );
}
