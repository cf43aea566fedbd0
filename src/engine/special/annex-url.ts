/**
 * git-remote-annex's URLs: `annex::<uuid>?<param>=<value>&...` names a special remote with every
 * parameter needed to use it (its initremote parameters, the shared cipher included: the URL is
 * a secret then), so a repository can be cloned from the remote alone; `annex::` alone means
 * "the special remote configured under this name".
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { FerryError } from '../errors';
import type { GitContext } from '../git/context';
import { setConfig } from '../git/read';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** never part of the URL: the name is the clone's own; the timestamp is remote.log's */
const LEFT_OUT = new Set(['name', 'timestamp']);

export function isAnnexUrl(url: string | undefined): boolean {
  return url?.startsWith('annex::') === true;
}

export function formatAnnexUrl(uuid: string, params: ReadonlyMap<string, string>): string {
  const query = [...params]
    .filter(([k]) => !LEFT_OUT.has(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  return `annex::${uuid}${query ? `?${query}` : ''}`;
}

/** The UUID and parameters of a full annex:: URL (undefined for the bare `annex::`). */
export function parseAnnexUrl(
  url: string,
): { uuid: string; params: Map<string, string> } | undefined {
  if (!url.startsWith('annex::'))
    throw new FerryError('usage', `${url.slice(0, 60)} is not an annex:: URL`);
  const rest = url.slice('annex::'.length);
  if (rest === '') return undefined;
  const q = rest.indexOf('?');
  const uuid = q < 0 ? rest : rest.slice(0, q);
  if (!UUID.test(uuid)) throw new FerryError('usage', 'the annex:: URL does not start with a UUID');
  const params = new Map<string, string>();
  for (const pair of (q < 0 ? '' : rest.slice(q + 1)).split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    try {
      params.set(
        decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq)),
        decodeURIComponent(eq < 0 ? '' : pair.slice(eq + 1)),
      );
    } catch {
      throw new FerryError('usage', 'the annex:: URL has a malformed parameter');
    }
  }
  return { uuid: uuid.toLowerCase(), params };
}

/** The annex:: URL a clone is made from: remote.log's settings and the kind's local ones. */
export function cloneUrlOf(
  uuid: string,
  fields: ReadonlyMap<string, string>,
  directory?: string,
): string {
  const params = new Map(fields);
  if (directory) params.set('directory', directory);
  return formatAnnexUrl(uuid, params);
}

/**
 * Whether git and git-annex here read annex:: URLs: git-annex 10.20240531 and later install the
 * `git-remote-annex` helper. An older git-annex takes a remote whose URL is `annex::` for a git
 * remote it cannot reach (it then neither copies to it nor checks it), so without the helper the
 * history flag is `remote.<name>.ferry-history` instead, which git-annex ignores.
 */
export function gitReadsAnnexUrls(): boolean {
  const forced = process.env.FERRY_ANNEX_URLS;
  if (forced === '1' || forced === '0') return forced === '1';
  return (process.env.PATH ?? '')
    .split(delimiter)
    .some((dir) => dir !== '' && isExecutable(join(dir, 'git-remote-annex')));
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Marks remote `name` as carrying git history: an `annex::` URL, or Ferry's own flag (above). */
export async function markHistory(git: GitContext, name: string): Promise<void> {
  if (gitReadsAnnexUrls()) {
    await setConfig(git, `remote.${name}.url`, 'annex::');
    return;
  }
  await setConfig(git, `remote.${name}.url`, undefined);
  await setConfig(git, `remote.${name}.ferry-history`, 'true');
}
