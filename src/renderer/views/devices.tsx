/**
 * Ferry devices: this device's ID, "Share this folder" (a one-time code, with a QR code), "Join"
 * (a code and a folder), devices waiting to be accepted, and each paired device's state (the
 * address it is reached at, or offline since when, and why). Asked for again whenever the
 * engine says devices changed.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { encode } from 'uqr';
import type { DevicesView as Devices, PairedDeviceView, ShareCode } from '../../shared/devices';
import type { FerryApi, RepositoryView } from '../../shared/ipc';

const time = (at: number): string =>
  new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** The code as a QR code: dark modules as one SVG path. */
export function QrCode({ text, label }: { text: string; label: string }) {
  const qr = encode(text, { ecc: 'M', border: 2 });
  let d = '';
  qr.data.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (dark) d += `M${x} ${y}h1v1h-1z`;
    }),
  );
  return (
    <svg
      className="qr"
      role="img"
      aria-label={label}
      viewBox={`0 0 ${qr.size} ${qr.size}`}
      width={qr.size * 5}
      height={qr.size * 5}
      shapeRendering="crispEdges"
    >
      <rect width={qr.size} height={qr.size} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}

function stateText(p: PairedDeviceView): string {
  if (p.state === 'online') return `connected at ${p.address ?? '?'} since ${time(p.since ?? 0)}`;
  if (p.state === 'offline')
    return `offline since ${time(p.since ?? 0)}${p.message ? ` (${p.message})` : ''}${p.address ? `; last at ${p.address}` : ''}`;
  return p.address ? `not reached yet (last at ${p.address})` : 'not reached yet';
}

function ShareButton({ api, repo }: { api: FerryApi; repo: RepositoryView }) {
  const [share, setShare] = useState<ShareCode | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const make = async (): Promise<void> => {
    setProblem(null);
    const r = await api.shareFolder({ repository: repo.uuid });
    if (r.ok) setShare(r.value);
    else setProblem(r.error.message);
  };
  return (
    <li>
      <span>{repo.description}</span>{' '}
      <button type="button" onClick={() => void make()}>
        {share ? 'New code' : 'Share this folder'}
      </button>
      {problem && <p className="error">{problem}</p>}
      {share && (
        <div className="share" aria-live="polite">
          <p>
            On the other device, choose <strong>Join</strong> and type this code (it works once,
            until {time(share.expiresAt)}, while Ferry runs here), or run there:
          </p>
          <p>
            <output className="code" aria-label={`Code for ${repo.description}`}>
              {share.code}
            </output>{' '}
            <button
              type="button"
              onClick={() =>
                void navigator.clipboard
                  ?.writeText(share.code)
                  .then(() => setCopied(true))
                  .catch(() => setCopied(false))
              }
            >
              {copied ? 'Copied' : 'Copy'}
            </button>
          </p>
          <pre className="command">ferry join {share.code}</pre>
          <QrCode text={share.code} label={`QR code of the code for ${repo.description}`} />
        </div>
      )}
    </li>
  );
}

function JoinForm({ api }: { api: FerryApi }) {
  const [code, setCode] = useState('');
  const [path, setPath] = useState('');
  const [address, setAddress] = useState('');
  const [status, setStatus] = useState<{ text: string; isError: boolean } | null>(null);
  const [isBusy, setBusy] = useState(false);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (!code.trim() || !path.trim()) {
      setStatus({ text: 'Give the code and the folder to sync into.', isError: true });
      return;
    }
    setBusy(true);
    setStatus({
      text: address.trim()
        ? `Connecting to ${address.trim()}…`
        : 'Looking for the device on this network…',
      isError: false,
    });
    const r = await api.joinShared({
      code: code.trim(),
      path: path.trim(),
      ...(address.trim() ? { address: address.trim() } : {}),
    });
    setBusy(false);
    if (r.ok) {
      setStatus({ text: `Joined: syncing ${r.value.top}`, isError: false });
      setCode('');
    } else setStatus({ text: r.error.message, isError: true });
  };
  return (
    <form className="join" onSubmit={(e) => void submit(e)} aria-label="Join a shared folder">
      <label>
        Code <input value={code} onChange={(e) => setCode(e.target.value)} spellCheck={false} />
      </label>
      <label>
        Folder to sync into{' '}
        <input
          value={path}
          onChange={(e) => setPath(e.target.value)}
          placeholder="~/Photos (new or empty)"
        />
      </label>
      <label>
        Address (only if the device is not found){' '}
        <input
          value={address}
          onChange={(e) => setAddress(e.target.value)}
          placeholder="192.168.1.20:22151"
        />
      </label>
      <button type="submit" disabled={isBusy}>
        Join
      </button>
      {status && (
        <p role="status" className={status.isError ? 'error' : undefined}>
          {status.text}
        </p>
      )}
    </form>
  );
}

export function DevicesView({
  api,
  repositories,
}: {
  api: FerryApi;
  repositories: readonly RepositoryView[];
}) {
  const [devices, setDevices] = useState<Devices | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    let isLive = true;
    const load = (): void => {
      void api.devices(undefined).then((r) => {
        if (!isLive) return;
        if (r.ok) setDevices(r.value);
        else setProblem(r.error.message);
      });
    };
    load();
    const off = api.on((e) => {
      if (e.type === 'devices-changed' || e.type === 'repository-changed') load();
    });
    return () => {
      isLive = false;
      off();
    };
  }, [api]);
  const folderName = (uuid: string): string =>
    repositories.find((r) => r.uuid === uuid)?.description ?? uuid;
  const act = async (run: () => ReturnType<FerryApi['acceptDevice']>): Promise<void> => {
    const r = await run();
    if (!r.ok) setProblem(r.error.message);
  };
  if (!devices) return <p>{problem ?? 'Loading…'}</p>;
  return (
    <section className="devices" aria-label="Devices">
      {problem && <p className="error">{problem}</p>}
      <h2>This device</h2>
      {devices.me ? (
        <p>
          <strong>{devices.me.name}</strong>, device ID <code>{devices.me.id}</code>, reachable on
          port {devices.me.port}
        </p>
      ) : (
        <p className="muted">
          Other devices cannot reach this Ferry (it was started with devices off, or its port is
          taken: see the log).
        </p>
      )}
      <h2>Share a folder</h2>
      {repositories.length === 0 ? (
        <p className="muted">Add a folder first.</p>
      ) : (
        <ul className="share-list">
          {repositories.map((r) => (
            <ShareButton key={r.uuid} api={api} repo={r} />
          ))}
        </ul>
      )}
      <h2>Join a shared folder</h2>
      <JoinForm api={api} />
      <h2>Waiting to be accepted</h2>
      {devices.pending.length === 0 ? (
        <p className="muted">No device is waiting.</p>
      ) : (
        <ul>
          {devices.pending.map((p) => (
            <li key={p.deviceId}>
              <strong>{p.name}</strong> (<code>{p.deviceId.slice(0, 7)}</code>, at {p.address}) asks
              for {folderName(p.repository)} since {time(p.at)}{' '}
              <button
                type="button"
                onClick={() => void act(() => api.acceptDevice({ deviceId: p.deviceId }))}
              >
                Accept {p.name}
              </button>{' '}
              <button
                type="button"
                onClick={() => void act(() => api.dismissDevice({ deviceId: p.deviceId }))}
              >
                Dismiss
              </button>
            </li>
          ))}
        </ul>
      )}
      <h2>Paired devices</h2>
      {devices.paired.length === 0 ? (
        <p className="muted">No device is paired yet: share a folder, or join one.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Folder</th>
              <th scope="col">State</th>
              <th scope="col">ID</th>
            </tr>
          </thead>
          <tbody>
            {devices.paired.map((p) => (
              <tr key={`${p.repository} ${p.deviceId}`}>
                <td>{p.remote}</td>
                <td>{folderName(p.repository)}</td>
                <td className={`state-${p.state}`}>{stateText(p)}</td>
                <td>
                  <code>{p.deviceId.slice(0, 15)}…</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
