/**
 * A Ferry device as a git remote: `ferry::<DEVICE-ID>/<repository-uuid>`. git reads `X::addr`
 * as "run git-remote-X", so plain git and git-annex reach the device through the
 * `git-remote-ferry` helper Ferry installs (its `connect` capability carries git-upload-pack
 * and git-receive-pack over the device link). Where the device was seen is kept beside it:
 * `remote.<name>.ferry-addresses` (static `host:port` entries, comma-separated, for networks
 * that block broadcast) and `remote.<name>.ferry-lastaddress` (the last place it answered).
 */
import { parseDeviceId } from './identity';

export interface PeerUrl {
  readonly deviceId: string;
  readonly uuid: string;
}

export function formatPeerUrl(deviceId: string, uuid: string): string {
  return `ferry::${deviceId}/${uuid}`;
}

export function parsePeerUrl(url: string): PeerUrl | undefined {
  // asked for every queued transfer whenever the queue looks for what may start: remembered
  if (parsed.has(url)) return parsed.get(url);
  const m = /^ferry::([A-Za-z2-7-]{56,63})\/([0-9a-f-]{36})$/.exec(url);
  const deviceId = m?.[1] && m[2] ? parseDeviceId(m[1]) : undefined;
  const out = deviceId && m?.[2] ? { deviceId, uuid: m[2] } : undefined;
  if (parsed.size > 1000) parsed.clear();
  parsed.set(url, out);
  return out;
}

const parsed = new Map<string, PeerUrl | undefined>();

/** `host:port` entries (IPv6 as `[addr]:port`), the bad ones left out. */
export function parseAddresses(text: string | undefined): { host: string; port: number }[] {
  const out: { host: string; port: number }[] = [];
  for (const part of (text ?? '').split(',')) {
    const m = /^\s*(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):(\d{1,5})\s*$/.exec(part);
    const host = m?.[1] ?? m?.[2];
    const port = Number(m?.[3]);
    if (host && port > 0 && port < 65536) out.push({ host, port });
  }
  return out;
}

export function formatAddress(a: { host: string; port: number }): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
