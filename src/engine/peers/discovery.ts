/**
 * LAN discovery, as Syncthing's local discovery does it: UDP broadcast of a small announcement
 * carrying only a device ID, the port its listener takes and a per-start instance number (never
 * folder names or repository UUIDs), sent to every IPv4 interface's broadcast address at start,
 * every 30 s, at once when the interfaces change (checked every 5 s), and in answer to a device
 * seen for the first time or restarted; sightings are kept 90 s. Broadcast rather than mDNS:
 * no dependency, no multicast routes needed (a bare veth pair or a home router both carry it),
 * and the packet is ours to keep minimal. Networks that block broadcast use static addresses.
 *
 *     FERRY-ANNOUNCE 1 <device-id> <port> <instance>
 *
 * Port 0 is a device that only looks (`ferry join` finding its inviter): answered, not kept.
 */
import { createSocket, type Socket } from 'node:dgram';
import { networkInterfaces } from 'node:os';
import { randomBytes } from 'node:crypto';
import { parseDeviceId } from './identity';
import { peerNews, type DeviceFinder, type Sighting } from './context';
import { dropLinksOff } from './links';

/** The UDP port announcements go to unless told otherwise (FERRY_DISCOVERY_PORT). */
export const DISCOVERY_PORT = 21127;
const ANNOUNCE_MS = 30_000;
const KEEP_MS = 90_000;
const INTERFACES_MS = 5_000;

export interface DiscoveryOptions {
  readonly deviceId: string;
  readonly listenPort: number;
  readonly port?: number;
  /** told when a device is seen for the first time or at another address */
  readonly onSeen?: (s: Sighting) => void;
}

/** Each IPv4 interface's broadcast address (address | ~netmask), loopback left out. */
export function broadcastAddresses(): string[] {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family !== 'IPv4' || a.internal) continue;
      const ip = a.address.split('.').map(Number);
      const mask = a.netmask.split('.').map(Number);
      out.add(ip.map((b, i) => (b | (~(mask[i] ?? 255) & 255)) & 255).join('.'));
    }
  }
  return [...out];
}

/** This device's own IPv4 addresses (up interfaces only, loopback left out). */
export function localAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) out.add(a.address);
  return out;
}

function interfaceSignature(): string {
  const all: string[] = [];
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) all.push(a.cidr ?? '');
  return all.sort().join(',');
}

export class LanDiscovery implements DeviceFinder {
  private socket: Socket | undefined;
  private readonly seen = new Map<string, Sighting & { instance: string }>();
  private readonly instance = randomBytes(6).toString('hex');
  private readonly lookers = new Map<string, number>();
  private timers: NodeJS.Timeout[] = [];
  private signature = '';

  constructor(private readonly o: DiscoveryOptions) {}

  get port(): number {
    return this.o.port ?? DISCOVERY_PORT;
  }

  async start(): Promise<void> {
    const socket = createSocket({ type: 'udp4', reuseAddr: true });
    socket.on('message', (msg, rinfo) => this.heard(msg, rinfo.address));
    socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.port, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.setBroadcast(true);
    socket.unref();
    this.socket = socket;
    this.signature = interfaceSignature();
    this.announce();
    const every = setInterval(() => this.announce(), ANNOUNCE_MS);
    const watch = setInterval(() => {
      const now = interfaceSignature();
      if (now === this.signature) return;
      this.signature = now;
      dropLinksOff(localAddresses()); // links made on an address that is gone are dead
      this.announce(); // a new address, or a network came up: say so at once
      peerNews(undefined);
    }, INTERFACES_MS);
    every.unref();
    watch.unref();
    this.timers = [every, watch];
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.socket?.close();
    this.socket = undefined;
  }

  /** Sends this device's announcement to every interface's broadcast address now. */
  announce(): void {
    const s = this.socket;
    if (!s) return;
    const packet = Buffer.from(
      `FERRY-ANNOUNCE 1 ${this.o.deviceId} ${this.o.listenPort} ${this.instance}\n`,
    );
    for (const addr of broadcastAddresses()) s.send(packet, this.port, addr, () => undefined);
  }

  ask(): void {
    this.announce();
  }

  private heard(msg: Buffer, from: string): void {
    if (msg.length > 512) return;
    const m = /^FERRY-ANNOUNCE 1 (\S+) (\d{1,5}) ([0-9a-f]{1,32})\n?$/.exec(msg.toString('latin1'));
    const id = m?.[1] ? parseDeviceId(m[1]) : undefined;
    const port = Number(m?.[2]);
    if (!m?.[3] || !id || id === this.o.deviceId || !(port >= 0 && port < 65536)) return;
    if (port === 0) {
      // a device looking, not listening (ferry join): it hears about us at once, is not kept
      const at = this.lookers.get(m[3]) ?? 0;
      if (Date.now() - at < 1000) return; // at most once a second each
      if (this.lookers.size > 256) this.lookers.clear();
      this.lookers.set(m[3], Date.now());
      this.announce();
      return;
    }
    const was = this.seen.get(id);
    const s = { deviceId: id, host: from, port, seen: Date.now(), instance: m[3] };
    this.seen.set(id, s);
    const isNew = !was || was.host !== from || was.port !== port;
    // a device new to us (or restarted) hears about us at once, not in up to 30 s
    if (isNew || was.instance !== s.instance) this.announce();
    if (isNew) this.o.onSeen?.(s);
    peerNews(id);
  }

  find(deviceId: string): Sighting | undefined {
    const s = this.seen.get(deviceId);
    return s && Date.now() - s.seen < KEEP_MS ? s : undefined;
  }

  findPrefix(prefix: string): Sighting[] {
    const now = Date.now();
    return [...this.seen.values()]
      .filter(
        (s) =>
          now - s.seen < KEEP_MS && s.deviceId.replace(/-/g, '').toLowerCase().startsWith(prefix),
      )
      .sort((a, b) => b.seen - a.seen);
  }
}
