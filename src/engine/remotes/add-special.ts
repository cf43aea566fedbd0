/**
 * Adding a special remote from the window: a folder (a mounted share or drive), an S3 bucket, a
 * WebDAV share or another git-annex special remote program, with its parameters as `k=v` lines
 * and a login typed in (kept in the creds file, never echoed). One another clone made, found by
 * name in remote.log, is enabled instead of made again. The remote is reached before anything
 * is written, as `ferry initremote` does.
 */
import type { Repository } from '../annex/repository';
import { FerryError } from '../errors';
import { enableRemote, initRemote, readRemoteLog } from '../special/config';
import { SPECIAL_KINDS } from './registry';
import { cloneUrlOf } from '../special/annex-url';
import { findRemote } from './git-remotes';

export interface SpecialRemoteRequest {
  readonly name: string;
  readonly type: string;
  readonly params: string;
  readonly user?: string;
  readonly password?: string;
}

export async function addSpecialRemote(repo: Repository, r: SpecialRemoteRequest): Promise<string> {
  const params = new Map<string, string>();
  for (const line of r.params.split(/\n|\s+(?=[A-Za-z_][\w-]*=)/)) {
    const text = line.trim();
    if (!text) continue;
    const eq = text.indexOf('=');
    if (eq <= 0)
      throw new FerryError(
        'usage',
        `"${text.slice(0, 60)}" is not a setting of the form name=value`,
      );
    params.set(text.slice(0, eq), text.slice(eq + 1));
  }
  params.set('type', r.type);
  const creds = r.user && r.password ? { user: r.user, password: r.password } : undefined;
  const existing = [...(await readRemoteLog(repo)).values()].some((f) => f.get('name') === r.name);
  if (existing) {
    params.delete('type');
    return (await enableRemote(repo, r.name, params, SPECIAL_KINDS, { creds })).name;
  }
  if (!params.has('encryption'))
    params.set('encryption', r.type === 'directory' ? 'none' : 'shared');
  return (await initRemote(repo, r.name, params, SPECIAL_KINDS, { creds })).name;
}

/** The annex:: URL to clone a special remote from (a secret with shared encryption). */
export async function remoteCloneUrl(repo: Repository, name: string): Promise<string> {
  const remote = await findRemote(repo, name);
  const fields = remote.uuid ? (await readRemoteLog(repo)).get(remote.uuid) : undefined;
  if (!remote.uuid || !fields)
    throw new FerryError('usage', `remote "${name}" is not a special remote one can clone from`);
  return cloneUrlOf(remote.uuid, fields, remote.specialLocation);
}
