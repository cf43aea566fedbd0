/**
 * `ferry clone <url> [dir]`: a new git-annex v10 repository that syncs with `url` (a local path
 * or an ssh URL), with no git binary: made, given `origin`, and pulled from it (its branch
 * checked out, its git-annex branch merged, its UUID recorded as remote.origin.annex-uuid).
 * Content is not fetched: the assistant, or `ferry get`, brings what is wanted.
 */
import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { initRepository } from '../annex/init';
import type { Repository } from '../annex/repository';
import { FerryError } from '../errors';
import { findRepository } from '../annex/repository';
import { listRefs, setConfig } from '../git/read';
import { findRemote } from '../remotes/git-remotes';
import { parseSshUrl } from '../ssh/url';
import { makeContext, type SyncOptions } from './context';
import { mergeIncoming, pullRemote, updateAnnexBranch, updateSyncedBranch } from './pull';
import { withRepositoryLock } from '../annex/repository-lock';
import { SPECIAL_KINDS } from '../remotes/registry';
import { isAnnexUrl, markHistory, parseAnnexUrl } from '../special/annex-url';
import { credsFromEnv, readRemoteLog, writeCreds } from '../special/config';

/** A special remote as origin: its UUID, its kind's own entries and the login from the environment. */
async function configureSpecialOrigin(
  repo: Repository,
  uuid: string,
  params: ReadonlyMap<string, string>,
): Promise<void> {
  const kind = SPECIAL_KINDS.find(
    (k) => k.type.toLowerCase() === params.get('type')?.toLowerCase(),
  );
  if (!kind)
    throw new FerryError(
      'usage',
      `the annex:: URL names type=${params.get('type') ?? '?'}, which Ferry does not support`,
    );
  await setConfig(repo.git, 'remote.origin.annex-uuid', uuid);
  for (const p of kind.localParams ?? []) {
    const v = params.get(p);
    if (v !== undefined) await setConfig(repo.git, `remote.origin.annex-${p}`, v);
  }
  for (const [k, v] of Object.entries({ ...kind.marker, ...kind.markerOf?.(params) }))
    await setConfig(repo.git, `remote.origin.${k}`, v);
  const creds = kind.credsEnv ? credsFromEnv(...kind.credsEnv) : undefined;
  if (creds) await writeCreds(repo, uuid, creds);
}

/** git-annex's default description of a repository: user@host:path. */
export function defaultDescription(dir: string): string {
  let user = 'user';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry
  }
  return `${user}@${hostname()}:${dir}`;
}

/** The folder a clone of `url` goes to when none is given (its last path part, `.git` left off). */
export function cloneDirFor(url: string, cwd: string): string {
  if (isAnnexUrl(url)) {
    const p = parseAnnexUrl(url);
    const from = p?.params.get('bucket') ?? p?.params.get('directory') ?? p?.params.get('url');
    const name = from ? basename(from.replace(/\/+$/, '')) : '';
    return resolve(cwd, name && name !== '.' ? name : `annex-${(p?.uuid ?? 'clone').slice(0, 8)}`);
  }
  const path = parseSshUrl(url)?.path ?? url;
  const name = basename(path.replace(/\/+$/, '')).replace(/\.git$/, '');
  if (!name || name === '.' || name === '..' || name === '~')
    throw new FerryError(
      'usage',
      `cannot tell a folder name from ${url}; give one: ferry clone ${url} <folder>`,
    );
  return resolve(cwd, name);
}

/** The first pull of a new clone from `remote`: its branch checked out, its git-annex branch merged. */
export async function pullFirst(
  repo: Repository,
  remote: string,
  options: SyncOptions = {},
): Promise<void> {
  const ctx = makeContext(repo, options);
  await withRepositoryLock(repo, async () => {
    await mergeIncoming(ctx);
    await pullRemote(ctx, await findRemote(repo, remote));
    await updateAnnexBranch(ctx);
    await updateSyncedBranch(ctx);
  });
}

export async function cloneRepository(
  url: string,
  dir: string,
  options: SyncOptions & { description?: string } = {},
): Promise<Repository> {
  const isSsh = parseSshUrl(url) !== undefined;
  const special = isAnnexUrl(url) ? parseAnnexUrl(url) : undefined;
  if (isAnnexUrl(url) && !special)
    throw new FerryError(
      'usage',
      'cloning needs the full annex::<uuid>?... URL (ferry info REMOTE prints it)',
    );
  let origin = url;
  if (!isSsh && !special) {
    const source = resolve(url);
    if (!findRepository(source))
      throw new FerryError(
        'not-a-repository',
        `${url} is not a git repository, nor an ssh URL (user@host:path)`,
        {
          path: source,
        },
      );
    origin = source;
  }
  if (existsSync(dir) && readdirSync(dir).length > 0)
    throw new FerryError(
      'usage',
      `${dir} already exists and is not empty; clone into a new folder`,
      {
        path: dir,
      },
    );
  const existed = existsSync(dir);
  const { repo } = await initRepository(dir, {
    description: options.description ?? defaultDescription(dir),
  });
  try {
    await setConfig(repo.git, 'remote.origin.url', origin);
    await setConfig(repo.git, 'remote.origin.fetch', '+refs/heads/*:refs/remotes/origin/*');
    if (special) await configureSpecialOrigin(repo, special.uuid, special.params);
    await pullFirst(repo, 'origin', options);
    if (special && (await listRefs(repo.git, 'refs/remotes/origin')).length === 0)
      throw new FerryError(
        'not-a-repository',
        'the special remote holds no git history to clone (it was made with --no-git, or by a git-annex without git-remote-annex)',
      );
    // the remote's settings (its cipher too) now come from remote.log: none stay in .git/config
    if (special && (await readRemoteLog(repo)).has(special.uuid))
      await markHistory(repo.git, 'origin');
  } catch (e) {
    // a clone that failed leaves nothing behind (nor an annex:: URL with its cipher)
    await rm(existed ? join(dir, '.git') : dir, { recursive: true, force: true });
    throw e;
  }
  return repo;
}
