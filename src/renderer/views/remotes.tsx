/** A folder's remotes with their state in words, and the form that adds an ssh host or a path. */
import { useState } from 'react';
import type { FerryApi, RepositoryView } from '../../shared/ipc';
import type { RemoteStatus } from '../../shared/types';
import { formatBytes, lacksText } from '../../shared/format';
import type { TransferControlState } from '../../shared/transfers';

function clock(at: number): string {
  return new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** The kinds named beside a remote (a clone or an ssh host needs no word). */
const KIND_LABEL: Readonly<Record<string, string>> = {
  S3: 'S3 bucket',
  webdav: 'WebDAV share',
  directory: 'folder',
  external: 'special remote program',
};

/** How a remote is, in a few words. */
export function remoteStateText(r: RemoteStatus): string {
  switch (r.state) {
    case 'connected':
      return 'connected';
    case 'offline':
      return r.downSince !== null
        ? `offline since ${clock(r.downSince)}`
        : `offline${r.lastSeen !== null ? `, last synced ${clock(r.lastSeen)}` : ''}`;
    case 'unplugged':
      return `waiting for it to be plugged in${r.lastSeen !== null ? `, last synced ${clock(r.lastSeen)}` : ''}`;
    case 'auth-needed':
      return 'authentication needed';
    case 'host-key':
      return 'host key not trusted';
    case 'not-supported':
      return 'not supported yet';
  }
}

/**
 * Copies a special remote's annex:: URL for a new machine to clone from; it is never shown (with
 * encryption it holds the key).
 */
function CopyCloneUrl({
  api,
  repository,
  remote,
}: {
  api: FerryApi;
  repository: string;
  remote: string;
}) {
  const [said, setSaid] = useState<string | null>(null);
  const copy = async (): Promise<void> => {
    const r = await api.cloneUrl({ repository, remote });
    if (!r.ok) return setSaid(r.error.message);
    try {
      await navigator.clipboard.writeText(r.value);
      setSaid(
        'Copied. On the new machine: ferry clone <paste> <folder>. Share it privately: it opens the data.',
      );
    } catch {
      setSaid(
        'The clipboard is not available here; run "ferry info" with this remote in a terminal.',
      );
    }
  };
  return (
    <span className="copy-url">
      <button type="button" onClick={() => void copy()}>
        Copy clone address of {remote}
      </button>
      {said && <span role="status"> {said}</span>}
    </span>
  );
}

/** Paused, and the rate limit, where they hold for this remote. */
function controlText(name: string, control: TransferControlState | undefined): string {
  if (!control) return '';
  const paused = control.isPaused || control.pausedRemotes.includes(name);
  const limit = control.remoteRateLimits[name] ?? control.rateLimit;
  return `${paused ? ', transfers paused' : ''}${limit > 0 ? `, limited to ${formatBytes(limit)}/s` : ''}`;
}

export function RemoteList({
  repository,
  api,
  control,
}: {
  repository: RepositoryView;
  api?: FerryApi;
  control?: TransferControlState;
}) {
  return (
    <ul aria-label={`Remotes of ${repository.description}`} className="remotes">
      {repository.remotes.map((x) => (
        <li key={x.name} className={x.isAvailable ? 'up' : 'down'}>
          {x.description ?? x.name}{' '}
          <span className="muted">
            ({x.description && x.description !== x.name ? `remote "${x.name}", ` : ''}
            {KIND_LABEL[x.kind] ? `${KIND_LABEL[x.kind]}, ` : ''}
            {remoteStateText(x)}
            {x.lacks && `, ${lacksText(x.lacks)}`}
            {controlText(x.name, control)}, cost {x.cost})
          </span>
          {x.note && x.state !== 'connected' && <p className="muted">{x.note}</p>}
          {api && KIND_LABEL[x.kind] && x.url.startsWith('annex::') && (
            <CopyCloneUrl api={api} repository={repository.uuid} remote={x.name} />
          )}
        </li>
      ))}
    </ul>
  );
}

export function AddRemoteForm({ api, repository }: { api: FerryApi; repository: RepositoryView }) {
  const [url, setUrl] = useState('');
  const [isBusy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; isError: boolean } | null>(null);
  const add = async (): Promise<void> => {
    if (url.trim() === '') return;
    setBusy(true);
    setMessage({ text: `Connecting to ${url.trim()}…`, isError: false });
    const r = await api.addRemote({ repository: repository.uuid, url: url.trim() });
    setBusy(false);
    if (r.ok) {
      setMessage({ text: `Now syncing with ${url.trim()}`, isError: false });
      setUrl('');
    } else setMessage({ text: r.error.message, isError: true });
  };
  const id = `add-remote-${repository.uuid}`;
  return (
    <form
      className="add-remote"
      onSubmit={(e) => {
        e.preventDefault();
        void add();
      }}
    >
      <label htmlFor={id}>Add a remote (user@host:path, or a folder)</label>
      <input
        id={id}
        value={url}
        placeholder="me@nas:/srv/photos"
        onChange={(e) => setUrl(e.target.value)}
        disabled={isBusy}
      />
      <button type="submit" disabled={isBusy || url.trim() === ''}>
        {isBusy ? 'Testing…' : 'Add'}
      </button>
      {message && (
        <p role={message.isError ? 'alert' : 'status'} className={message.isError ? 'error' : ''}>
          {message.text}
        </p>
      )}
    </form>
  );
}
