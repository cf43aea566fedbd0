/** The folders: each repository's state, remotes and offers, and the drop area that adds one. */
import { useState, type DragEvent } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { formatBytes } from '../../shared/format';
import type { ErrorSuggestion, FerryApi, RepositoryView } from '../../shared/ipc';
import type { FerryState } from '../store';
import { AddRemoteForm, RemoteList } from './remotes';
import { AddCloudForm } from './add-cloud';
import { WhyNotSynced } from './why';
import { Attention } from './attention';

const STATE_LABEL: Record<RepositoryView['state'], string> = {
  idle: 'In sync',
  syncing: 'Syncing',
  paused: 'Paused',
  error: 'Needs attention',
  offline: 'Offline',
  'not-shared': 'Not shared yet',
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
  const [name, setName] = useState('');
  const [message, setMessage] = useState<{ text: string; isError: boolean } | null>(null);
  const [isOver, setOver] = useState(false);
  const [isBusy, setBusy] = useState(false);
  // what the engine offers instead (the repository's top, creating the folder, a yes)
  const [suggestion, setSuggestion] = useState<ErrorSuggestion | null>(null);
  // the folder being added now, which Cancel stops
  const [adding, setAdding] = useState<string | null>(null);
  const add = async (
    folder: string,
    choice: { create?: boolean; confirm?: boolean } = {},
  ): Promise<void> => {
    if (folder.trim() === '') return;
    setBusy(true);
    setAdding(folder.trim());
    setSuggestion(null);
    setMessage({ text: `Adding ${folder}…`, isError: false });
    const r = await api.addFolder({
      path: folder.trim(),
      ...(name.trim() ? { description: name.trim() } : {}),
      ...choice,
    });
    setBusy(false);
    setAdding(null);
    if (r.ok) {
      setMessage({ text: `Syncing ${r.value.top} (${r.value.description})`, isError: false });
      setPath('');
      setName('');
    } else {
      setMessage({ text: r.error.message, isError: true });
      setSuggestion(r.error.suggestion ?? null);
    }
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
        <label htmlFor="folder-name">Name (optional)</label>
        <input
          id="folder-name"
          type="text"
          value={name}
          placeholder={path.trim().replace(/\/+$/, '').split('/').at(-1) || 'Pictures'}
          onChange={(e) => setName(e.target.value)}
          autoComplete="off"
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
      {adding !== null && (
        <button type="button" onClick={() => void api.cancelAddFolder({ path: adding })}>
          Cancel
        </button>
      )}
      {suggestion && (
        <button
          type="button"
          disabled={isBusy}
          onClick={() =>
            void add(suggestion.path, {
              create: suggestion.create,
              confirm: suggestion.confirm,
            })
          }
        >
          {suggestion.create
            ? 'Create it and sync'
            : suggestion.confirm
              ? 'Sync it anyway'
              : `Sync ${suggestion.path} instead`}
        </button>
      )}
    </section>
  );
}

/** "Rename": the folder's name, as every clone sees it (its repository's description). */
function RenameFolder({ api, repository }: { api: FerryApi; repository: RepositoryView }) {
  const [draft, setDraft] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  if (draft === null)
    return (
      <button type="button" className="quiet" onClick={() => setDraft(repository.description)}>
        Rename
      </button>
    );
  const id = `rename-${repository.uuid}`;
  return (
    <form
      className="confirm"
      onSubmit={(e) => {
        e.preventDefault();
        void api.renameFolder({ repository: repository.uuid, name: draft }).then((r) => {
          if (r.ok) setDraft(null);
          else setProblem(r.error.message);
        });
      }}
    >
      <label htmlFor={id}>New name for {repository.description}</label>
      <input id={id} value={draft} onChange={(e) => setDraft(e.target.value)} autoComplete="off" />
      <button type="submit" disabled={draft.trim() === ''}>
        Save
      </button>{' '}
      <button type="button" onClick={() => setDraft(null)}>
        Cancel
      </button>
      {problem && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
    </form>
  );
}

/** "Stop syncing", asked twice: the folder leaves Ferry, its files and repository stay as they are. */
function StopSyncing({ api, repository }: { api: FerryApi; repository: RepositoryView }) {
  const [isAsking, setAsking] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  if (!isAsking)
    return (
      <button type="button" className="quiet" onClick={() => setAsking(true)}>
        Stop syncing
      </button>
    );
  return (
    <div role="group" aria-label={`Stop syncing ${repository.description}`} className="confirm">
      <p>
        Stop syncing {repository.description}? Its files stay as they are; you can add the folder
        again later.
      </p>
      <button
        type="button"
        onClick={() =>
          void api.removeFolder({ repository: repository.uuid }).then((r) => {
            if (!r.ok) setProblem(r.error.message);
          })
        }
      >
        Stop syncing {repository.description}
      </button>{' '}
      <button type="button" onClick={() => setAsking(false)}>
        Keep syncing
      </button>
      {problem && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
    </div>
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
  const control = useStore(store, (s) => s.control);
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
                {r.conflicts.length > 0 && (
                  <span className="badge conflicts">
                    {r.conflicts.length} {r.conflicts.length === 1 ? 'conflict' : 'conflicts'}
                  </span>
                )}
              </div>
              <p className="path">{r.top}</p>
              <p>
                {r.presentFiles} of {r.annexedFiles} files here ({formatBytes(r.presentBytes)})
              </p>
              {r.reason && r.held.length === 0 && <p className="reason">{r.reason}</p>}
              <Attention api={api} repository={r} canOpen={!isHeadless} />
              <RemoteList repository={r} api={api} control={control} />
              <WhyNotSynced api={api} repository={r} />
              <AddRemoteForm api={api} repository={r} />
              <AddCloudForm api={api} repository={r} />
              <RenameFolder api={api} repository={r} />
              <StopSyncing api={api} repository={r} />
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
