/**
 * Reaching a paired device for one repository: where discovery saw it lately, then where it
 * last answered, then its static addresses; each tried in turn with the device ID pinned
 * (another key at that address is refused and reported, never used). A link that opens is
 * greeted for the repository and handed on as a P2P connection; the device's state (online
 * at an address, or offline since when) is kept for the map and the window.
 */
import type { Repository } from '../annex/repository';
import { FerryError } from '../errors';
import { getConfig } from '../git/read';
import type { P2PConnection } from '../p2p/client';
import { markPeer, peerContext, peerState } from './context';
import { greet, openLink } from './link';
import { formatAddress, parseAddresses, parsePeerUrl } from './peer-url';
import { recordPeer } from './pairing';
import { dropLinksToMoved, trackLink } from './links';
import { span } from '../trace';

export interface Dialled {
  readonly conn: P2PConnection;
  readonly peerId: string;
  readonly address: string;
  /**
   * Ends the link when nothing has come or gone on it for `ms` (for an exchange that is always
   * moving while it is healthy: a link whose path died leaves TCP retrying for minutes).
   */
  stallAfter(ms: number): void;
}

/** Where to look for a device: discovery, the last address, the static ones (no repeats). */
export async function candidates(
  repo: Repository,
  remote: string,
  deviceId: string,
): Promise<{ host: string; port: number }[]> {
  const out: { host: string; port: number }[] = [];
  const seen = peerContext().finder?.find(deviceId);
  if (seen) out.push({ host: seen.host, port: seen.port });
  out.push(...parseAddresses(await getConfig(repo.git, `remote.${remote}.ferry-lastaddress`)));
  out.push(...parseAddresses(await getConfig(repo.git, `remote.${remote}.ferry-addresses`)));
  const keys = new Set<string>();
  return out.filter((a) => {
    const k = formatAddress(a);
    if (keys.has(k)) return false;
    keys.add(k);
    return true;
  });
}

export async function dialPeer(
  repo: Repository,
  remote: string,
  url: string,
  signal?: AbortSignal,
): Promise<Dialled> {
  const target = parsePeerUrl(url);
  if (!target) throw new FerryError('usage', `${url} is not a Ferry device address`);
  const ctx = peerContext();
  const places = await candidates(repo, remote, target.deviceId);
  if (places.length === 0) {
    markPeer(target.deviceId, undefined, 'not seen on this network');
    throw new FerryError(
      'remote-unavailable',
      `${remote} is not on this network now (not seen since ${sinceText(target.deviceId)})`,
      { remote },
    );
  }
  let last: unknown;
  let impostor: FerryError | undefined;
  for (const place of places) {
    const ended = span('dial', formatAddress(place));
    try {
      const link = await openLink(
        ctx.identity,
        place.host,
        place.port,
        { expect: target.deviceId },
        signal,
      );
      try {
        await greet(link, repo.uuid, ctx.deviceName, ctx.listenPort, { repo: target.uuid });
      } catch (e) {
        link.socket.destroy();
        throw e;
      }
      const address = formatAddress(place);
      markPeer(target.deviceId, address);
      await recordPeer(
        repo,
        { remote, deviceId: target.deviceId, uuid: target.uuid },
        {
          lastAddress: address,
        },
      ).catch(() => undefined);
      const socket = link.socket;
      socket.setKeepAlive(true, 15_000);
      // reached here with its key checked: links to any older address of it are dead ones
      // (an announcement alone never ends a link: anyone on the LAN can send one)
      dropLinksToMoved(target.deviceId, place.host);
      trackLink(socket, target.deviceId);
      ended();
      return {
        peerId: link.peerId,
        address,
        stallAfter: (ms) => {
          socket.setTimeout(ms, () => {
            const why = `nothing came for ${Math.round(ms / 1000)} s`;
            markPeer(target.deviceId, undefined, why);
            socket.destroy(
              new FerryError('remote-unavailable', `${remote} stopped answering (${why})`, {
                remote,
              }),
            );
          });
        },
        conn: {
          input: socket,
          output: socket,
          close: () => socket.destroy(),
          problem: () => '',
          hold: (isHeld) => (isHeld ? socket.ref() : socket.unref()),
          exited: new Promise<void>((r) => socket.once('close', () => r())),
        },
      };
    } catch (e) {
      last = e;
      if (e instanceof FerryError && e.code === 'auth-failed') {
        markPeer(target.deviceId, undefined, e.message);
        throw new FerryError(e.code, `${remote}: ${e.message}`, { remote }, e);
      }
      if (e instanceof FerryError && e.code === 'peer-identity') {
        // another key at that address (a stale address, or a device pretending): never used,
        // reported, and the device's other addresses are still tried
        impostor = e;
        warnOnce(`${target.deviceId} ${formatAddress(place)}`, `${remote}: ${e.message}`);
      }
    }
  }
  if (impostor) {
    markPeer(target.deviceId, undefined, impostor.message);
    throw new FerryError('peer-identity', `${remote}: ${impostor.message}`, { remote }, impostor);
  }
  markPeer(target.deviceId, undefined, (last as Error | undefined)?.message);
  throw new FerryError(
    'remote-unavailable',
    `${remote} is offline (${(last as Error | undefined)?.message ?? 'not reachable'})`,
    { remote },
    last,
  );
}

const warned = new Map<string, number>();

/** A refused identity is told once per address every ten minutes, not at every dial. */
function warnOnce(key: string, message: string): void {
  const at = warned.get(key);
  if (at !== undefined && Date.now() - at < 600_000) return;
  warned.set(key, Date.now());
  peerContext().warn?.(message);
}

function sinceText(deviceId: string): string {
  const s = peerState(deviceId);
  return s?.state === 'offline' ? new Date(s.since).toLocaleString() : 'this program started';
}
