/**
 * Adding a cloud or network remote to a folder: an S3 bucket, a WebDAV share, a folder (a
 * mounted share or drive) or another git-annex special remote program (rclone's and others).
 * Encrypted by default where the data leaves this machine; the login goes to the engine once and
 * is never shown again.
 */
import { useState } from 'react';
import type { FerryApi, RepositoryView } from '../../shared/ipc';

type Kind = 'S3' | 'webdav' | 'directory' | 'external';

const KINDS: readonly { kind: Kind; label: string; name: string }[] = [
  { kind: 'S3', label: 'S3 bucket (Amazon S3 or compatible)', name: 'cloud' },
  { kind: 'webdav', label: 'WebDAV share', name: 'dav' },
  { kind: 'directory', label: 'A folder (a mounted share or drive)', name: 'share' },
  {
    kind: 'external',
    label: 'Other (rclone and other git-annex special remote programs)',
    name: 'other',
  },
];

interface Fields {
  readonly [k: string]: string;
}

/** The git-annex parameters the form's fields stand for. */
export function cloudParams(kind: Kind, f: Fields, encrypt: boolean): string[] {
  const out: string[] = [`encryption=${encrypt ? 'shared' : 'none'}`];
  if (kind !== 'directory') out.push('chunk=8MiB');
  if (kind === 'S3') {
    if (f.bucket) out.push(`bucket=${f.bucket}`);
    if (f.host) {
      const u = /^(https?):\/\/([^/:]+)(?::(\d+))?/.exec(f.host);
      const protocol = u?.[1] ?? 'https';
      out.push(`host=${u?.[2] ?? f.host}`, `protocol=${protocol}`, 'requeststyle=path');
      out.push(`port=${u?.[3] ?? (protocol === 'https' ? '443' : '80')}`, 'signature=v4');
    }
  }
  if (kind === 'webdav' && f.url) out.push(`url=${f.url}`);
  if (kind === 'directory' && f.directory) out.push(`directory=${f.directory}`);
  if (kind === 'external' && f.program) out.push(`externaltype=${f.program}`);
  for (const line of (f.more ?? '').split('\n')) if (line.trim()) out.push(line.trim());
  return out;
}

function Field(props: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  type?: string;
  placeholder?: string;
}) {
  return (
    <label htmlFor={props.id}>
      {props.label}
      <input
        id={props.id}
        type={props.type ?? 'text'}
        value={props.value}
        placeholder={props.placeholder}
        autoComplete={props.type === 'password' ? 'new-password' : 'off'}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </label>
  );
}

/** A login's two fields; the password one is never filled back in. */
function Login(props: {
  at: (f: string) => string;
  v: (k: string) => string;
  set: (k: string) => (v: string) => void;
  user: string;
  password: string;
}) {
  return (
    <>
      <Field
        id={props.at('user')}
        label={props.user}
        value={props.v('user')}
        onChange={props.set('user')}
      />
      <Field
        id={props.at('password')}
        label={props.password}
        type="password"
        value={props.v('password')}
        onChange={props.set('password')}
      />
    </>
  );
}

export function AddCloudForm({ api, repository }: { api: FerryApi; repository: RepositoryView }) {
  const [kind, setKind] = useState<Kind>('S3');
  const [name, setName] = useState('cloud');
  const [fields, setFields] = useState<Fields>({});
  const [encrypt, setEncrypt] = useState(true);
  const [isBusy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; isError: boolean } | null>(null);
  const id = (f: string): string => `cloud-${f}-${repository.uuid}`;
  const set = (k: string) => (v: string) => setFields({ ...fields, [k]: v });
  const choose = (k: Kind): void => {
    setKind(k);
    setName(KINDS.find((x) => x.kind === k)?.name ?? 'remote');
    setEncrypt(k !== 'directory');
    setFields({});
  };
  const add = async (): Promise<void> => {
    setBusy(true);
    setMessage({ text: `Connecting to ${name}…`, isError: false });
    const r = await api.addSpecialRemote({
      repository: repository.uuid,
      name: name.trim(),
      type: kind,
      params: cloudParams(kind, fields, encrypt).join('\n'),
      ...(fields.user ? { user: fields.user } : {}),
      ...(fields.password ? { password: fields.password } : {}),
    });
    setBusy(false);
    // the login is not kept in the window once sent
    setFields({ ...fields, password: '' });
    if (r.ok) setMessage({ text: `Now syncing with ${name.trim()}`, isError: false });
    else setMessage({ text: r.error.message, isError: true });
  };
  const v = (k: string): string => fields[k] ?? '';
  return (
    <details className="add-cloud">
      <summary>Add a cloud or network remote</summary>
      <form
        className="add-remote"
        onSubmit={(e) => {
          e.preventDefault();
          void add();
        }}
      >
        <label htmlFor={id('kind')}>
          Kind
          <select id={id('kind')} value={kind} onChange={(e) => choose(e.target.value as Kind)}>
            {KINDS.map((k) => (
              <option key={k.kind} value={k.kind}>
                {k.label}
              </option>
            ))}
          </select>
        </label>
        <Field id={id('name')} label="Name" value={name} onChange={setName} />
        {kind === 'S3' && (
          <>
            <Field id={id('bucket')} label="Bucket" value={v('bucket')} onChange={set('bucket')} />
            <Field
              id={id('host')}
              label="Service address (empty for Amazon S3)"
              value={v('host')}
              onChange={set('host')}
              placeholder="https://s3.example.com"
            />
            <Login at={id} v={v} set={set} user="Access key ID" password="Secret access key" />
          </>
        )}
        {kind === 'webdav' && (
          <>
            <Field
              id={id('url')}
              label="Share address"
              value={v('url')}
              onChange={set('url')}
              placeholder="https://dav.example.com/annex"
            />
            <Login at={id} v={v} set={set} user="User name" password="Password" />
          </>
        )}
        {kind === 'directory' && (
          <Field
            id={id('directory')}
            label="Folder (full path)"
            value={v('directory')}
            onChange={set('directory')}
            placeholder="/mnt/nas/annex"
          />
        )}
        {kind === 'external' && (
          <>
            <Field
              id={id('program')}
              label="Program (git-annex-remote-…)"
              value={v('program')}
              onChange={set('program')}
              placeholder="rclone"
            />
            <label htmlFor={id('more')}>
              Its settings, one name=value per line
              <textarea
                id={id('more')}
                value={v('more')}
                onChange={(e) => set('more')(e.target.value)}
                placeholder={'target=mydrive\nprefix=annex'}
              />
            </label>
          </>
        )}
        <label htmlFor={id('encrypt')} className="check">
          <input
            id={id('encrypt')}
            type="checkbox"
            checked={encrypt}
            onChange={(e) => setEncrypt(e.target.checked)}
          />
          Encrypt names and content (shared key, kept in the repository)
        </label>
        <button type="submit" disabled={isBusy || name.trim() === ''}>
          {isBusy ? 'Connecting…' : 'Add'}
        </button>
        {message && (
          <p role={message.isError ? 'alert' : 'status'} className={message.isError ? 'error' : ''}>
            {message.text}
          </p>
        )}
      </form>
    </details>
  );
}
