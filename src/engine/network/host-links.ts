/**
 * The part of the map beyond an ssh remote: the host's repository and its own remotes, read
 * over ssh (ssh/host-config.ts), as `git annex map` spiders ssh remotes. These nodes are not on
 * this machine (no path): routing sends content to the host, and the host's own links are shown,
 * not driven from here.
 */
import type { MapEdge, MapNode } from '../../shared/network';
import type { GitContext } from '../git/context';
import { readHostRepositories, type HostRepository } from '../ssh/host-config';
import { baseOf, sshContext } from '../ssh/git-transport';
import { parseSshUrl } from '../ssh/url';

export interface MapParts {
  readonly nodes: Map<string, MapNode>;
  readonly edges: MapEdge[];
  readonly describe: (uuid: string, fallback: string) => string | undefined;
  readonly isDead: (uuid: string) => boolean;
}

/** A host's remotes change seldom: one read serves the map's rebuilds for a minute. */
const CACHE_MS = 60_000;
const cache = new Map<string, { at: number; read: Promise<HostRepository | undefined> }>();

/** Reads the host's repositories behind an ssh remote; undefined when it is not one or cannot be read. */
export function readHostBehind(ctx: GitContext, url: string): Promise<HostRepository | undefined> {
  const target = parseSshUrl(url);
  if (!target) return Promise.resolve(undefined);
  const key = `${ctx.dir}\0${url}`;
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.read;
  const read = sshContext(baseOf(ctx))
    .then((c) => readHostRepositories(c, target))
    .catch(() => undefined);
  cache.set(key, { at: Date.now(), read });
  if (cache.size > 256) cache.delete(cache.keys().next().value as string);
  return read;
}

/** Adds the host's remotes (and theirs, on the host) as nodes and links from `hostUuid`. */
export function addHostLinks(parts: MapParts, hostUuid: string, repo: HostRepository): void {
  for (const r of repo.remotes) {
    const uuid = r.repository?.uuid ?? r.uuid;
    if (!uuid || parts.isDead(uuid)) continue;
    if (!parts.nodes.has(uuid))
      parts.nodes.set(uuid, {
        uuid,
        description: parts.describe(uuid, r.name) ?? r.name,
        path: null,
        isHere: false,
        isReachable: true,
      });
    if (!parts.edges.some((e) => e.from === hostUuid && e.to === uuid))
      parts.edges.push({
        from: hostUuid,
        to: uuid,
        cost: r.cost,
        remote: r.name,
        // a repository the host has and we could read is there; of others we cannot tell
        isUp: r.repository !== undefined,
        path: null,
      });
    if (r.repository) addHostLinks(parts, uuid, r.repository);
  }
}
