/**
 * What needs the user on a folder card: a mass deletion held by the guard (apply it or keep my
 * files) and the conflict inbox (each file changed in two places, its versions, keep one or
 * give each its own name).
 */
import { useState } from 'react';
import type { FerryApi, RepositoryView } from '../../shared/ipc';
import type { ConflictGroup, HeldDeletion } from '../../shared/types';

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

function Conflict({
  api,
  repository,
  group,
}: {
  api: FerryApi;
  repository: RepositoryView;
  group: ConflictGroup;
}) {
  const [names, setNames] = useState<Record<string, string>>({});
  const [problem, report] = useProblem();
  const base = `${repository.uuid}-${group.path}`;
  return (
    <li>
      <span className="path">{group.path}</span> was changed in two places; both versions are kept:
      <ul>
        {group.variants.map((v, i) => {
          const id = `${base}-${i}`;
          const name = names[v] ?? v.split('/').at(-1) ?? v;
          return (
            <li key={v}>
              <span className="path">{v}</span>{' '}
              <button
                type="button"
                onClick={() =>
                  void api
                    .keepConflictVersion({
                      repository: repository.uuid,
                      path: group.path,
                      variant: v,
                    })
                    .then(report)
                }
                aria-label={`Keep ${v} as ${group.path}, remove the other versions`}
              >
                Keep this one
              </button>{' '}
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
                    .then(report);
                }}
              >
                <label htmlFor={id}>Name for {v}</label>
                <input
                  id={id}
                  value={name}
                  autoComplete="off"
                  spellCheck={false}
                  onChange={(e) => setNames({ ...names, [v]: e.target.value })}
                />
                <button type="submit">Keep under this name</button>
              </form>
            </li>
          );
        })}
      </ul>
      {problem && <p className="error">{problem}</p>}
    </li>
  );
}

export function Attention({ api, repository }: { api: FerryApi; repository: RepositoryView }) {
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
              <Conflict key={g.path} api={api} repository={repository} group={g} />
            ))}
          </ul>
        </details>
      )}
    </>
  );
}
