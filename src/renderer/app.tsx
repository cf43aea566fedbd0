/** The main window: the repositories Ferry manages. The queue and the network map come next. */
import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import type { FerryApi } from '../shared/ipc';
import { createFerryStore } from './store';

const store = createFerryStore();

export function App({ api }: { api: FerryApi }) {
  const repositories = useStore(store, (s) => s.repositories);
  const lastError = useStore(store, (s) => s.lastError);
  const [isLoading, setLoading] = useState(true);
  useEffect(() => {
    void api.listRepositories(undefined).then((r) => {
      if (r.ok) store.getState().seed(r.value);
      setLoading(false);
    });
    return api.on((event) => store.getState().apply(event));
  }, [api]);
  return (
    <main>
      <h1>Ferry</h1>
      {lastError !== null && <p role="alert">{lastError}</p>}
      {isLoading ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        <ul aria-label="Repositories">
          {repositories.map((r) => (
            <li key={r.uuid}>
              <strong>{r.description}</strong> — {r.presentFiles} of {r.annexedFiles} files here
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
