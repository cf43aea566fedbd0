/**
 * What needs the user on a folder card: a mass deletion held by the guard (apply it or keep my
 * files) and the conflict inbox (each file changed in two places, its versions, keep one or
 * give each its own name).
 */
import { useState } from 'react';
import type { FerryApi, RepositoryView } from '../../shared/ipc';
import { formatBytes } from '../../shared/format';
import type { ConflictGroup, ConflictVersion, HeldDeletion } from '../../shared/types';

const count = (n: number): string => n.toLocaleString('en-US');

function useProblem(): [string | null, (r: { ok: boolean; error?: { message: string } }) => void] {
  const [problem, setProblem] = useState<string | null>(null);
  return [problem, (r) => setProblem(r.ok ? null : (r.error?.message ?? 'failed'))];
}

function Held({
  api,
  repository,
  held,
}: {
  api: FerryApi;
  repository: RepositoryView;
  held: HeldDeletion;
}) {
  const [isBusy, setBusy] = useState(false);
  const [problem, report] = useProblem();
  const answer = async (action: 'apply' | 'keep'): Promise<void> => {
    setBusy(true);
    report(await api.decideDeletion({ repository: repository.uuid, id: held.id, action }));
    setBusy(false);
  };
  return (
    <div role="alert" className="held" aria-label={`Deletion held in ${repository.description}`}>
      <p>
        <strong>
          {held.from} deleted {count(held.deleted)} of {count(held.total)} files.
        </strong>{' '}
        Nothing was deleted here yet: apply it, or keep your files (they go back to {held.from}).
      </p>
      <details>
        <summary>Some of the files</summary>
        <ul>
          {held.sample.map((p) => (
            <li key={p} className="path">
              {p}
            </li>
          ))}
        </ul>
      </details>
      <button type="button" disabled={isBusy} onClick={() => void answer('keep')}>
        Keep my files
      </button>{' '}
      <button type="button" disabled={isBusy} onClick={() => void answer('apply')}>
        Delete them here too
      </button>
      {problem && <p className="error">{problem}</p>}
    </div>
  );
}

/** One version of a conflict: keep it under the shared name, or give it a name of its own. */
function Version({
  api,
  repository,
  group,
  version,
  report,
  canOpen,
}: {
  api: FerryApi;
  repository: RepositoryView;
  group: ConflictGroup;
  version: ConflictVersion;
  report: (r: { ok: boolean; error?: { message: string } }) => void;
  canOpen: boolean;
}) {
  const [name, setName] = useState<string | null>(null);
  const v = version.path;
  const id = `name-${repository.uuid}-${v}`;
  const facts = [
    version.size !== null ? formatBytes(version.size) : 'content not here',
    version.modifiedAt !== null ? `changed ${new Date(version.modifiedAt).toLocaleString()}` : '',
  ].filter(Boolean);
  return (
    <li>
      <span className="path">{v}</span> <span className="muted">({facts.join(', ')})</span>{' '}
      <button
        type="button"
        onClick={() =>
          void api
            .keepConflictVersion({ repository: repository.uuid, path: group.path, variant: v })
            .then(report)
        }
        aria-label={`Keep ${v} as ${group.path}, remove the other versions`}
      >
        Keep this one
      </button>{' '}
      {canOpen && (
        <>
          <button
            type="button"
            className="quiet"
            onClick={() =>
              void api
                .openConflictVersion({ repository: repository.uuid, path: group.path, variant: v })
                .then(report)
            }
            aria-label={`Open ${v}`}
          >
            Open
          </button>{' '}
        </>
      )}
      {name === null ? (
        <button
          type="button"
          className="quiet"
          onClick={() => setName(v.split('/').at(-1) ?? v)}
          aria-label={`Keep ${v} under a name of its own`}
        >
          Rename…
        </button>
      ) : (
        <form
          className="inline"
          onSubmit={(e) => {
            e.preventDefault();
            void api
              .renameConflictVersion({
                repository: repository.uuid,
                path: group.path,
                variant: v,
                name,
              })
              .then((r) => {
                report(r);
                if (r.ok) setName(null);
              });
          }}
        >
          <label htmlFor={id}>New name for {v}</label>
          <input
            id={id}
            value={name}
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => setName(e.target.value)}
          />
          <button type="submit" disabled={name.trim() === ''}>
            Save
          </button>
          <button type="button" onClick={() => setName(null)}>
            Cancel
          </button>
        </form>
      )}
    </li>
  );
}

function Conflict({
  api,
  repository,
  group,
  canOpen,
}: {
  api: FerryApi;
  repository: RepositoryView;
  group: ConflictGroup;
  canOpen: boolean;
}) {
  const [problem, report] = useProblem();
  return (
    <li>
      <span className="path">{group.path}</span> was changed in two places; both versions are kept:
      <ul>
        {group.variants.map((v) => (
          <Version
            key={v.path}
            api={api}
            repository={repository}
            group={group}
            version={v}
            report={report}
            canOpen={canOpen}
          />
        ))}
      </ul>
      {problem && <p className="error">{problem}</p>}
    </li>
  );
}

/** `canOpen`: the desktop app, which opens a version with the program for it */
export function Attention({
  api,
  repository,
  canOpen,
}: {
  api: FerryApi;
  repository: RepositoryView;
  canOpen: boolean;
}) {
  return (
    <>
      {repository.held.map((h) => (
        <Held key={h.id} api={api} repository={repository} held={h} />
      ))}
      {repository.conflicts.length > 0 && (
        <details className="conflicts">
          <summary>Conflicts ({repository.conflicts.length})</summary>
          <ul aria-label={`Conflicts in ${repository.description}`}>
            {repository.conflicts.map((g) => (
              <Conflict
                key={g.path}
                api={api}
                repository={repository}
                group={g}
                canOpen={canOpen}
              />
            ))}
          </ul>
        </details>
      )}
    </>
  );
}
