/**
 * The map of repositories, as `git annex map` builds it: start here, follow every remote, and for
 * remotes that are local paths read their own config and remotes in turn; for ssh remotes the host
 * is asked for its config and remotes (network/host-links.ts). Nodes are repositories
 * by annex UUID (named from uuid.log); edges are "A can send to B" with the cost A's config gives
 * that remote (annex-cost, else 100 for a local path, 200 otherwise) and whether the link is up
 * now (the path is there). Repositories known only from uuid.log are unreachable nodes; dead ones
 * are left out.
 */
import { peerLink } from '../peers/peer-link';
import { AnnexBranch } from '../annex/branch';
import { parseTrustLog, parseUuidLog } from '../annex/logs';
import { findRepository, type Repository } from '../annex/repository';
import { gitContext } from '../git/context';
import { getConfig, listRemotes } from '../git/read';
import {
  COST_CHEAP,
  COST_EXPENSIVE,
  localPathOf,
  remoteCost,
  specialRemoteTypes,
} from '../remotes/git-remotes';
import { availabilityOf } from '../remotes/registry';
import type { MapEdge, MapNode, NetworkMap } from '../../shared/network';
import { minimumArborescence } from './arborescence';
import { addHostLinks, readHostBehind, type MapParts } from './host-links';

export type { MapEdge, MapNode, NetworkMap } from '../../shared/network';

export async function buildNetworkMap(repo: Repository): Promise<NetworkMap> {
  const branch = new AnnexBranch(repo);
  const names = parseUuidLog(await branch.read('uuid.log'));
  const trust = parseTrustLog(await branch.read('trust.log'));
  const nodes = new Map<string, MapNode>();
  const edges: MapEdge[] = [];
  const visited = new Set<string>();
  const queue: { gitdir: string; top: string; uuid: string }[] = [
    { gitdir: repo.gitdir, top: repo.top, uuid: repo.uuid },
  ];
  nodes.set(repo.uuid, {
    uuid: repo.uuid,
    description: names.get(repo.uuid)?.value ?? repo.top,
    path: repo.top,
    isHere: true,
    isReachable: true,
  });
  const hostsRead = new Set<string>();
  let specials: Map<string, string> | undefined;
  const parts: MapParts = {
    nodes,
    edges,
    describe: (uuid) => names.get(uuid)?.value,
    isDead: (uuid) => trust.get(uuid) === 'dead',
  };
  while (queue.length > 0) {
    const at = queue.shift() as { gitdir: string; top: string; uuid: string };
    if (visited.has(at.gitdir)) continue;
    visited.add(at.gitdir);
    const ctx = gitContext(at.top, at.gitdir, at.top === at.gitdir);
    for (const { remote, url } of await listRemotes(ctx).catch(() => [])) {
      const path = url === undefined ? undefined : localPathOf(at.top, url);
      const cost = await remoteCost(ctx, remote, path).catch(() =>
        path ? COST_CHEAP : COST_EXPENSIVE,
      );
      let uuid = await getConfig(ctx, `remote.${remote}.annex-uuid`).catch(() => undefined);
      // a special remote (no URL): its kind judges it from remote.log's type and its config
      specials ??= await specialRemoteTypes(repo);
      const special =
        url === undefined
          ? {
              uuid,
              specialType: (uuid && specials.get(uuid)) || 'unknown',
              specialLocation: await getConfig(ctx, `remote.${remote}.annex-directory`).catch(
                () => undefined,
              ),
            }
          : {};
      const isUp =
        availabilityOf({ name: remote, url: url ?? '', path, ...special }).state === 'up';
      let found: ReturnType<typeof findRepository>;
      if (isUp && path) {
        found = findRepository(path);
        if (found)
          uuid =
            (await getConfig(gitContext(found.top, found.gitdir, found.isBare), 'annex.uuid').catch(
              () => undefined,
            )) ?? uuid;
      }
      if (!uuid) {
        // a remote of this repository never reached (a drive never plugged in): shown, never used
        if (at.uuid === repo.uuid) neverReached(nodes, edges, at.uuid, remote, cost, path);
        continue;
      }
      if (trust.get(uuid) === 'dead') continue;
      if (!nodes.has(uuid)) {
        nodes.set(uuid, {
          uuid,
          description: names.get(uuid)?.value ?? remote,
          path: path ?? null,
          isHere: false,
          isReachable: true,
        });
      }
      if (!edges.some((e) => e.from === at.uuid && e.to === uuid))
        edges.push({
          from: at.uuid,
          to: uuid,
          cost,
          remote,
          isUp,
          path: path ?? null,
          link: url === undefined ? null : await peerLink(ctx, remote, url),
        });
      if (found && isUp) queue.push({ gitdir: found.gitdir, top: found.top, uuid });
      else if (isUp && !path && url !== undefined && !hostsRead.has(uuid)) {
        hostsRead.add(uuid);
        const host = await readHostBehind(ctx, url);
        if (host && (!host.uuid || host.uuid === uuid)) addHostLinks(parts, uuid, host);
      }
    }
  }
  for (const [uuid, entry] of names) {
    if (
      nodes.has(uuid) ||
      trust.get(uuid) === 'dead' ||
      uuid.startsWith('00000000-0000-0000-0000-00000000000')
    )
      continue;
    nodes.set(uuid, {
      uuid,
      description: entry.value,
      path: null,
      isHere: false,
      isReachable: false,
    });
  }
  const up = edges.filter((e) => e.isUp);
  const arborescence = minimumArborescence(repo.uuid, up);
  return { root: repo.uuid, nodes: [...nodes.values()], edges, arborescence };
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Graphviz in the shape `git annex map` writes, with the arborescence's edges drawn bold. */
export function mapToDot(map: NetworkMap): string {
  const inTree = new Set(map.arborescence.map((e) => `${e.from} ${e.to}`));
  const lines = [
    'digraph map {',
    '\tsubgraph "cluster_localhost" {',
    '\t\tlabel="localhost"',
    '\t\tstyle="filled"',
    '\t\tfillcolor="lightblue"',
  ];
  for (const n of map.nodes.filter((x) => x.path !== null)) {
    lines.push(
      `\t\t${quote(n.uuid)} [ label=${quote(n.description)} ] [ style="filled" ] [ fillcolor="white" ]`,
    );
  }
  lines.push('\t}');
  for (const n of map.nodes.filter((x) => x.path === null)) {
    lines.push(
      `\t${quote(n.uuid)} [ label=${quote(n.description)} ]${n.isReachable ? '' : ' [ style="dashed" ]'}`,
    );
  }
  for (const e of map.edges) {
    const attrs = [`label=${quote(`${e.remote} (${e.cost})`)}`];
    if (inTree.has(`${e.from} ${e.to}`)) attrs.push('penwidth=3');
    if (!e.isUp) attrs.push('style="dashed"');
    lines.push(`\t${quote(e.from)} -> ${quote(e.to)} [ ${attrs.join(' ')} ]`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** A readable text view: repositories, links with costs and state, the routes content takes. */
export function mapToText(map: NetworkMap): string {
  const name = (uuid: string): string =>
    map.nodes.find((n) => n.uuid === uuid)?.description ?? uuid;
  const out: string[] = ['repositories:'];
  for (const n of map.nodes) {
    out.push(
      `  ${n.isHere ? '*' : ' '} ${n.description} (${n.uuid})${n.path ? ` at ${n.path}` : ''}${n.isReachable ? '' : ' — not reachable from here'}`,
    );
  }
  out.push('links:');
  for (const e of map.edges)
    out.push(
      `    ${name(e.from)} -> ${name(e.to)} via "${e.remote}", cost ${e.cost}, ${e.isUp ? 'up' : 'down'}${e.link ? `, ${e.link}` : ''}`,
    );
  out.push('least-cost routes from here:');
  for (const e of map.arborescence) out.push(`    ${name(e.from)} -> ${name(e.to)} (${e.cost})`);
  return `${out.join('\n')}\n`;
}

/** A remote of this repository whose repository was never reached: a node and a link that is down. */
function neverReached(
  nodes: Map<string, MapNode>,
  edges: MapEdge[],
  from: string,
  remote: string,
  cost: number,
  path: string | undefined,
): void {
  const uuid = `never-reached:${remote}`;
  nodes.set(uuid, {
    uuid,
    description: remote,
    path: path ?? null,
    isHere: false,
    isReachable: false,
    neverReached: true,
  });
  edges.push({ from, to: uuid, cost, remote, isUp: false, path: path ?? null, link: null });
}
