/** How the map describes a link to a Ferry device: the LAN address it answered at, or its last one. */
import type { GitContext } from '../git/context';
import { getConfig } from '../git/read';
import { peerState } from './context';
import { parsePeerUrl } from './peer-url';

export async function peerLink(
  ctx: GitContext,
  remote: string,
  url: string,
): Promise<string | null> {
  const target = parsePeerUrl(url);
  if (!target) return null;
  const s = peerState(target.deviceId);
  if (s?.state === 'online') return `direct at ${s.address}`;
  const last = await getConfig(ctx, `remote.${remote}.ferry-lastaddress`).catch(() => undefined);
  const since = s ? `offline since ${new Date(s.since).toLocaleTimeString()}` : 'not reached yet';
  return last ? `${since}, last at ${last}` : since;
}
