/**
 * The open links to and from paired devices in this process, so that a network change ends
 * the ones it killed at once instead of leaving them to TCP's timeouts (minutes, with data in
 * flight): a local address that went away (unplugged, a new lease) ends the links made on it;
 * a device reached, its key checked, at another address ends the links to its old one. What was
 * moving on them fails and is retried over a fresh link.
 */
import type { Socket } from 'node:net';

interface Tracked {
  readonly socket: Socket;
  readonly deviceId: string | undefined;
}

const links = new Set<Tracked>();

function bare(address: string | undefined): string {
  return (address ?? '').replace(/^::ffff:/, '');
}

/** Keeps `socket` (a link with `deviceId`, or not yet known) until it closes. */
export function trackLink(socket: Socket, deviceId?: string): void {
  const t = { socket, deviceId };
  links.add(t);
  socket.once('close', () => links.delete(t));
}

/** Ends the links whose local address is no longer one of this device's. */
export function dropLinksOff(localAddresses: ReadonlySet<string>): number {
  let n = 0;
  for (const t of [...links]) {
    const local = bare(t.socket.localAddress);
    if (!local || local === '127.0.0.1' || localAddresses.has(local)) continue;
    t.socket.destroy(new Error('the network this link used went away'));
    n++;
  }
  return n;
}

/** Ends the links to `deviceId` at any address but `host` (it was just reached there). */
export function dropLinksToMoved(deviceId: string, host: string): number {
  let n = 0;
  for (const t of [...links]) {
    if (t.deviceId !== deviceId || bare(t.socket.remoteAddress) === bare(host)) continue;
    t.socket.destroy(new Error('the device moved to another address'));
    n++;
  }
  return n;
}
