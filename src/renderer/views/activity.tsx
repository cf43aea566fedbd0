/** The activity list: what happened, newest first. */
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { FerryState } from '../store';

export function ActivityView({ store }: { store: StoreApi<FerryState> }) {
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
          {(a.count ?? 1) > 1 && <span className="muted"> ×{a.count}</span>}
        </li>
      ))}
    </ol>
  );
}
