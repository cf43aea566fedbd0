/**
 * Pairings as git remotes: a device paired for a folder is a remote of its repository whose URL
 * is `ferry::<device-id>/<uuid>` (peer-url.ts), with `annex-uuid` (so content routing and the
 * map treat it as any remote) and where it was last reached.
 */
import type { Repository } from '../annex/repository';
import { getConfig, listRemotes, setConfig } from '../git/read';
import { freeRemoteName } from '../remotes/git-remotes';
import { formatPeerUrl, parsePeerUrl } from './peer-url';

export interface PairedPeer {
  readonly remote: string;
  readonly deviceId: string;
  readonly uuid: string;
}

/** Every device paired with this repository. */
export async function pairedPeers(repo: Repository): Promise<PairedPeer[]> {
  const out: PairedPeer[] = [];
  for (const { remote, url } of await listRemotes(repo.git)) {
    const p = url ? parsePeerUrl(url) : undefined;
    if (p) out.push({ remote, deviceId: p.deviceId, uuid: p.uuid });
  }
  return out;
}

/** The remote that pairs `deviceId` with this repository, if any. */
export async function pairedDevice(
  repo: Repository,
  deviceId: string,
): Promise<PairedPeer | undefined> {
  return (await pairedPeers(repo)).find((p) => p.deviceId === deviceId);
}

/**
 * Records a device as a remote (a new pairing when `existing` is undefined), or updates where it
 * was reached. Returns the remote's name.
 */
export async function recordPeer(
  repo: Repository,
  existing: PairedPeer | undefined,
  p: { deviceId?: string; uuid?: string; name?: string; lastAddress?: string },
): Promise<string> {
  let remote = existing?.remote;
  if (!remote) {
    if (!p.deviceId || !p.uuid) throw new Error('a new pairing needs a device and a repository');
    const again = await pairedDevice(repo, p.deviceId);
    remote = again?.remote ?? (await freeRemoteName(repo, p.name || 'device'));
    await setConfig(repo.git, `remote.${remote}.url`, formatPeerUrl(p.deviceId, p.uuid));
    await setConfig(repo.git, `remote.${remote}.fetch`, `+refs/heads/*:refs/remotes/${remote}/*`);
    await setConfig(repo.git, `remote.${remote}.annex-uuid`, p.uuid);
  }
  if (
    p.lastAddress &&
    (await getConfig(repo.git, `remote.${remote}.ferry-lastaddress`)) !== p.lastAddress
  )
    await setConfig(repo.git, `remote.${remote}.ferry-lastaddress`, p.lastAddress);
  return remote;
}
