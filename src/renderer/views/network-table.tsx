/**
 * The network map's words and table: a sentence per repository on how its content travels (or
 * why it does not), what each holds, and every link as a table row, reachable from the keyboard
 * and read by screen readers as the picture's equivalent.
 */
import { lacksText } from '../../shared/format';
import type { RepositoryView } from '../../shared/ipc';
import type { NetworkMap } from '../../shared/network';
import { routeSentences } from '../../shared/route-text';
import { edgeKey } from '../map-active';

/** What a repository holds, as this folder's status knows it. */
export function holdingsOf(
  uuid: string,
  map: NetworkMap,
  here: RepositoryView | undefined,
): string {
  if (!here) return '';
  if (uuid === map.root)
    return `${here.presentFiles.toLocaleString('en-US')} of ${here.annexedFiles.toLocaleString('en-US')} files here`;
  const r = here.remotes.find((x) => x.uuid === uuid);
  if (!r?.lacks) return '';
  return r.lacks.files === 0 ? 'has all it wants' : lacksText(r.lacks);
}

export function MapWords({
  map,
  here,
  active,
}: {
  map: NetworkMap;
  here: RepositoryView | undefined;
  active: ReadonlySet<string>;
}) {
  const name = (u: string): string =>
    map.nodes.find((n) => n.uuid === u)?.description ?? u.slice(0, 8);
  const inTree = new Set(map.arborescence.map(edgeKey));
  const sentences = routeSentences(map);
  return (
    <>
      <ul className="routes" aria-label="How content travels">
        {sentences.map((s) => {
          const holds = holdingsOf(s.uuid, map, here);
          return (
            <li key={s.uuid}>
              {s.text}
              {holds && <span className="muted"> · {holds}</span>}
            </li>
          );
        })}
      </ul>
      <details className="map-table">
        <summary>The map as a table</summary>
        <table>
          <caption>Links between the repositories</caption>
          <thead>
            <tr>
              <th scope="col">From</th>
              <th scope="col">To</th>
              <th scope="col">Remote</th>
              <th scope="col">Cost</th>
              <th scope="col">State</th>
              <th scope="col">Least-cost route</th>
            </tr>
          </thead>
          <tbody>
            {map.edges.map((e) => (
              <tr key={edgeKey(e)}>
                <td>{name(e.from)}</td>
                <td>{name(e.to)}</td>
                <td>{e.remote}</td>
                <td>{e.cost}</td>
                <td>
                  {e.isUp ? 'up' : 'down'}
                  {active.has(edgeKey(e)) ? ', moving now' : ''}
                  {e.link ? ` (${e.link})` : ''}
                </td>
                <td>{inTree.has(edgeKey(e)) ? 'yes' : 'no'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </>
  );
}
