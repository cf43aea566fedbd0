/** A folder card's "Why isn't it synced?": each file not in sync, where, and why (asked when opened). */
import { useState } from 'react';
import type { FerryApi, RepositoryView } from '../../shared/ipc';
import type { OutOfSync } from '../../shared/types';

export function WhyNotSynced({ api, repository }: { api: FerryApi; repository: RepositoryView }) {
  const [entries, setEntries] = useState<readonly OutOfSync[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const load = async (): Promise<void> => {
    const r = await api.whyNotSynced({ repository: repository.uuid, limit: 200 });
    if (r.ok) setEntries(r.value);
    else setProblem(r.error.message);
  };
  return (
    <details className="why" onToggle={(e) => (e.currentTarget.open ? void load() : undefined)}>
      <summary>Why isn’t it synced?</summary>
      {entries &&
        (entries.length === 0 ? (
          <p className="muted">
            Everything is in sync, here and on each remote (as each one wants).
          </p>
        ) : (
          <>
            <button type="button" onClick={() => void load()}>
              Refresh
            </button>
            <ul aria-label={`Not in sync in ${repository.description}`}>
              {entries.map((e) => (
                <li key={`${e.path}\0${e.remote ?? ''}`} className={`why-${e.reason}`}>
                  <span className="path">{e.path}</span> {e.remote ? `→ ${e.remote}` : '(here)'}:{' '}
                  {e.text}
                  {e.nextRetryAt !== null &&
                    ` (next try ${new Date(e.nextRetryAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })})`}
                </li>
              ))}
            </ul>
            {entries.length >= 200 && <p className="muted">The first 200 are shown.</p>}
          </>
        ))}
      {problem && <p role="alert">{problem}</p>}
    </details>
  );
}
