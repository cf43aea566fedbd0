/**
 * The git remotes of a repository as Ferry sees them: URL, whether it is a local path (another
 * clone, a drive), its annex UUID (cached as `remote.<name>.annex-uuid` as git-annex does) and
 * its cost (`remote.<name>.annex-cost`, default 100 for a local path, 200 otherwise).
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FerryError } from '../errors';
import { getConfig, listRemotes, setConfig } from '../git/read';
import { AnnexBranch } from '../annex/branch';
import { parseRemoteConfig, parseUuidLog } from '../annex/logs';
import { openRepository, type Repository } from '../annex/repository';
import { availabilityOf } from './registry';
import { isAnnexUrl, parseAnnexUrl } from '../special/annex-url';

export interface RemoteInfo {
  readonly name: string;
  readonly url: string;
  /** absolute path for local-path remotes */
  readonly path: string | undefined;
  readonly uuid: string | undefined;
  readonly cost: number;
  readonly isIgnored: boolean;
  readonly isAvailable: boolean;
  /** a git-annex special remote (no URL): its `type=` from remote.log, or "unknown" */
  readonly specialType?: string;
  /** a special remote's place on this machine (`annex-directory`), when it has one */
  readonly specialLocation?: string;
}

export const COST_CHEAP = 100;
export const COST_EXPENSIVE = 200;

/** The local directory a remote URL names, or undefined for network URLs. */
export function localPathOf(top: string, url: string): string | undefined {
  if (url.startsWith('file://')) return fileURLToPath(url);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return undefined;
  // scp-like host:path (a colon before any slash) is a network remote
  const colon = url.indexOf(':');
  const slash = url.indexOf('/');
  if (colon > 0 && (slash < 0 || colon < slash)) return undefined;
  return isAbsolute(url) ? url : resolve(top, url);
}

/** A remote's cost: `remote.<name>.annex-cost`, else 100 for a local path and 200 otherwise. */
export async function remoteCost(
  git: Repository['git'],
  remote: string,
  path: string | undefined,
): Promise<number> {
  const text = await getConfig(git, `remote.${remote}.annex-cost`);
  if (text !== undefined && Number.isFinite(Number(text))) return Number(text);
  return path ? COST_CHEAP : COST_EXPENSIVE;
}

export async function listGitRemotes(repo: Repository): Promise<RemoteInfo[]> {
  const out: RemoteInfo[] = [];
  let special: Map<string, string> | undefined;
  for (const { remote, url: configured } of await listRemotes(repo.git)) {
    const uuid = await getConfig(repo.git, `remote.${remote}.annex-uuid`);
    if (configured === undefined || isAnnexUrl(configured)) {
      const history =
        configured ??
        ((await getConfig(repo.git, `remote.${remote}.ferry-history`)) === 'true'
          ? 'annex::'
          : undefined);
      // A git-annex special remote (directory, S3, …): listed with its type, never as a path;
      // with an annex:: URL it carries git history too.
      special ??= await specialRemoteTypes(repo);
      const fromUrl = configured ? parseAnnexUrl(configured) : undefined;
      const specialUuid = uuid ?? fromUrl?.uuid;
      const specialType =
        (specialUuid && special.get(specialUuid)) || fromUrl?.params.get('type') || 'unknown';
      const specialLocation = await getConfig(repo.git, `remote.${remote}.annex-directory`);
      out.push({
        name: remote,
        url: history ?? '',
        path: undefined,
        uuid: specialUuid,
        cost: await remoteCost(repo.git, remote, undefined),
        isIgnored: (await getConfig(repo.git, `remote.${remote}.annex-ignore`)) === 'true',
        isAvailable:
          availabilityOf({
            name: remote,
            url: history ?? '',
            path: undefined,
            uuid: specialUuid,
            specialType,
            specialLocation,
          }).state === 'up',
        specialType,
        specialLocation,
      });
      continue;
    }
    const url = configured;
    const path = localPathOf(repo.top, url);
    const cost = await remoteCost(repo.git, remote, path);
    out.push({
      name: remote,
      url,
      path,
      uuid,
      cost,
      isIgnored: (await getConfig(repo.git, `remote.${remote}.annex-ignore`)) === 'true',
      // as the remote's kind judges it (a path: whether it is there)
      isAvailable: availabilityOf({ name: remote, url, path }).state === 'up',
    });
  }
  return out.sort((a, b) => a.cost - b.cost || a.name.localeCompare(b.name));
}

/** The `type=` of each special remote in the git-annex branch's remote.log, by UUID. */
export async function specialRemoteTypes(repo: Repository): Promise<Map<string, string>> {
  const text = await new AnnexBranch(repo).read('remote.log').catch(() => '');
  const out = new Map<string, string>();
  for (const [uuid, entry] of parseUuidLog(text)) {
    const type = parseRemoteConfig(entry.value).get('type');
    if (type) out.set(uuid, type);
  }
  return out;
}

export async function findRemote(repo: Repository, name: string): Promise<RemoteInfo> {
  const remote = (await listGitRemotes(repo)).find((r) => r.name === name);
  if (!remote)
    throw new FerryError('remote-unknown', `there is no remote named "${name}"`, { remote: name });
  return remote;
}

/** Opens a local-path remote's repository and records its UUID in our config. */
export async function openLocalRemote(repo: Repository, remote: RemoteInfo): Promise<Repository> {
  if (!remote.path) {
    throw new FerryError(
      'remote-unavailable',
      `remote "${remote.name}" (${remote.url}) is not a local path; only local-path remotes are supported so far`,
      {
        remote: remote.name,
      },
    );
  }
  if (!existsSync(remote.path)) {
    throw new FerryError(
      'remote-unavailable',
      `remote "${remote.name}" is not reachable: ${remote.path} does not exist (is the drive plugged in?)`,
      {
        remote: remote.name,
        path: remote.path,
      },
    );
  }
  let opened: Repository;
  try {
    opened = await openRepository(remote.path);
  } catch (e) {
    throw new FerryError(
      'remote-unavailable',
      `remote "${remote.name}" at ${remote.path} is not a git-annex repository`,
      { remote: remote.name },
      e,
    );
  }
  if (remote.uuid !== opened.uuid)
    await setConfig(repo.git, `remote.${remote.name}.annex-uuid`, opened.uuid);
  return { ...opened, untrusted: true };
}

/**
 * Adds a remote for a local path, named after `preferred` (made safe and unique), the way
 * `git remote add` does. Returns the name used.
 */
/** A remote name not yet taken, from a preferred one (a description, a host name). */
export async function freeRemoteName(repo: Repository, preferred: string): Promise<string> {
  const taken = new Set((await listRemotes(repo.git)).map((r) => r.remote));
  const base =
    preferred
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '') || 'remote';
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  return name;
}

export async function addLocalRemote(
  repo: Repository,
  path: string,
  preferred: string,
): Promise<string> {
  const name = await freeRemoteName(repo, preferred);
  await setConfig(repo.git, `remote.${name}.url`, path);
  await setConfig(repo.git, `remote.${name}.fetch`, `+refs/heads/*:refs/remotes/${name}/*`);
  return name;
}
