/**
 * The window's footer: "About Ferry" (version, where it runs, where it keeps its state) and the
 * log (the engine's recent lines, newest last, fetched when opened and on "Refresh").
 */
import { useState } from 'react';
import type { AboutInfo, FerryApi, LogLine } from '../../shared/ipc';

function time(at: number): string {
  return new Date(at).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

export function Footer({ api }: { api: FerryApi }) {
  const [about, setAbout] = useState<AboutInfo | null>(null);
  const [log, setLog] = useState<readonly LogLine[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const loadAbout = async (): Promise<void> => {
    const r = await api.about();
    if (r.ok) setAbout(r.value);
    else setProblem(r.error.message);
  };
  const loadLog = async (): Promise<void> => {
    const r = await api.recentLog({ limit: 500 });
    if (r.ok) setLog(r.value);
    else setProblem(r.error.message);
  };
  return (
    <footer className="footer">
      <details onToggle={(e) => (e.currentTarget.open ? void loadAbout() : undefined)}>
        <summary>About Ferry</summary>
        {about && (
          <dl className="about">
            <dt>Version</dt>
            <dd>Ferry {about.version}</dd>
            <dt>Runs on</dt>
            <dd>
              Node {about.node}, {about.platform}
            </dd>
            <dt>Folders synced</dt>
            <dd>{about.folders}</dd>
            {about.stateDir && (
              <>
                <dt>State folder</dt>
                <dd>{about.stateDir}</dd>
              </>
            )}
          </dl>
        )}
        <p className="muted">
          Every Ferry folder is a git-annex repository: the git-annex command works on it too.
        </p>
      </details>
      <details onToggle={(e) => (e.currentTarget.open ? void loadLog() : undefined)}>
        <summary>Log</summary>
        <button type="button" onClick={() => void loadLog()}>
          Refresh
        </button>
        {log &&
          (log.length === 0 ? (
            <p className="muted">Nothing logged yet.</p>
          ) : (
            <ol className="log" aria-label="Log">
              {log.map((l, i) => (
                <li key={i}>
                  <time dateTime={new Date(l.at).toISOString()}>{time(l.at)}</time> {l.text}
                </li>
              ))}
            </ol>
          ))}
      </details>
      {problem && <p role="alert">{problem}</p>}
    </footer>
  );
}
