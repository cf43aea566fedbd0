/**
 * Reading a repository's git config on an ssh host, as `git annex map` does over ssh
 * (`cd <dir> && git config --null --list`): its UUID and its own remotes, for the network map.
 * The host's path remotes are read in turn (relative to the repository that names them); its
 * network remotes are listed with the UUID it cached for them, not followed.
 */
import { runSsh, type SshContext } from './command';
import { parseSshUrl, shellQuote, type SshTarget } from './url';

/** How long one read may take before the map goes on without it. */
const READ_TIMEOUT_MS = 8000;
/** How many repositories one host is read for at most. */
const MAX_REPOSITORIES = 16;

export interface HostRemote {
  readonly name: string;
  readonly url: string;
  readonly uuid: string | undefined;
  readonly cost: number;
  /** the repository that remote names, when it is on the host and could be read */
  readonly repository?: HostRepository;
}

export interface HostRepository {
  /** the directory as the host's shell reaches it */
  readonly dir: string;
  readonly uuid: string | undefined;
  readonly remotes: readonly HostRemote[];
}

/** `git config --null --list` output: `key\nvalue\0` entries. */
export function parseNullConfig(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of text.split('\0')) {
    if (!entry) continue;
    const nl = entry.indexOf('\n');
    const key = (nl < 0 ? entry : entry.slice(0, nl)).toLowerCase();
    out.set(key, nl < 0 ? 'true' : entry.slice(nl + 1));
  }
  return out;
}

/** A `cd` argument for the host's shell: `~` and `~user` prefixes expand there, the rest is quoted. */
export function shellPath(path: string): string {
  const m = /^(~[A-Za-z0-9._-]*)(\/.*)?$/.exec(path);
  if (!m) return shellQuote(path);
  return m[2] ? `${m[1]}/${shellQuote(m[2].slice(1) || '.')}` : (m[1] ?? '~');
}

function remotesOf(
  config: Map<string, string>,
): { name: string; url: string; uuid?: string; cost?: number }[] {
  const out: { name: string; url: string; uuid?: string; cost?: number }[] = [];
  for (const [key, url] of config) {
    const m = /^remote\.(.+)\.url$/.exec(key);
    if (!m?.[1]) continue;
    const name = m[1];
    if (config.get(`remote.${name}.annex-ignore`) === 'true') continue;
    const cost = Number(config.get(`remote.${name}.annex-cost`));
    out.push({
      name,
      url,
      uuid: config.get(`remote.${name}.annex-uuid`) || undefined,
      cost: Number.isFinite(cost) && config.has(`remote.${name}.annex-cost`) ? cost : undefined,
    });
  }
  return out;
}

/** Whether a host's remote URL is a path on that host (not another network address). */
function isHostPath(url: string): boolean {
  return !parseSshUrl(url) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(url);
}

/**
 * The repository at `t` with its remotes, read over the shared connection; undefined when the
 * host cannot be asked (its git config could not be read: no git there, a refused login).
 */
export async function readHostRepositories(
  ctx: SshContext,
  t: SshTarget,
): Promise<HostRepository | undefined> {
  const seen = new Set<string>();
  const read = async (dir: string, depth: number): Promise<HostRepository | undefined> => {
    if (seen.size >= MAX_REPOSITORIES || seen.has(dir)) return undefined;
    seen.add(dir);
    const r = await runSsh(
      ctx,
      t,
      `cd ${shellPath(dir)} && pwd && git config --null --list`,
      READ_TIMEOUT_MS,
    );
    if (r.code !== 0) return undefined;
    const nl = r.stdout.indexOf('\n');
    const here = r.stdout.slice(0, nl).trim() || dir;
    if (here !== dir && seen.has(here)) return undefined;
    seen.add(here);
    const config = parseNullConfig(r.stdout.slice(nl + 1));
    const remotes: HostRemote[] = [];
    for (const x of remotesOf(config)) {
      const onHost = isHostPath(x.url);
      const target = x.url.startsWith('/') || x.url.startsWith('~') ? x.url : `${here}/${x.url}`;
      const repository = onHost && depth < 3 ? await read(target, depth + 1) : undefined;
      remotes.push({
        name: x.name,
        url: x.url,
        uuid: repository?.uuid ?? x.uuid,
        cost: x.cost ?? (onHost ? 100 : 200),
        repository,
      });
    }
    return { dir: here, uuid: config.get('annex.uuid') || undefined, remotes };
  };
  return read(t.path, 0);
}
