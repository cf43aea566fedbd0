/**
 * Ferry devices in one process (the app, `ferry assistant`, `ferry webapp`): this device's
 * identity, its listener (listener.ts) serving every synced folder to the devices paired with
 * it, LAN discovery (discovery.ts), the invites it made, and the devices waiting as pending.
 * Each served folder has a ref feed, so a commit here reaches the devices watching at once.
 */
import { hostname } from 'node:os';
import type { Repository } from '../annex/repository';
import type { WatchFn } from '../sync/watcher';
import { watchRefs, type RefFeed } from '../p2p/ref-changes';
import type { ReceiveResult } from '../git/serve-receive-pack';
import { setPeerContext, type Sighting } from './context';
import { LanDiscovery } from './discovery';
import { deviceIdentity, type DeviceIdentity } from './identity';
import { InviteStore } from './invites';
import { DEFAULT_PEER_PORT } from './link';
import { PeerListener, type ListenerEvent } from './listener';
import { recordPeer } from './pairing';
import { FerryError } from '../errors';

export interface PendingDevice {
  readonly deviceId: string;
  readonly name: string;
  readonly address: string;
  /** the folder it asked for */
  readonly uuid: string;
  /** its own repository */
  readonly clientUuid: string;
  /** where it listens (HOST:PORT; empty when it does not) */
  readonly listenAddress: string;
  readonly at: number;
}

export interface PeerServiceOptions {
  readonly stateDir: string;
  readonly watch: WatchFn;
  /** the listener's port (default 22151; 0: any free one) */
  readonly port?: number;
  /** the address to listen on (default every interface) */
  readonly host?: string;
  /** discovery's UDP port (default 21127); false: no discovery */
  readonly discovery?: number | false;
  readonly deviceName?: string;
  readonly onEvent?: (e: ListenerEvent) => void;
  readonly onSeen?: (s: Sighting) => void;
  readonly log?: (line: string) => void;
}

export class PeerService {
  readonly identity: DeviceIdentity;
  readonly deviceName: string;
  readonly invites: InviteStore;
  private readonly listener: PeerListener;
  private discovery: LanDiscovery | undefined;
  private readonly feeds = new Map<string, RefFeed>();
  private readonly pendingDevices = new Map<string, PendingDevice>();
  private readonly repos = new Map<string, Repository>();
  private readonly changeListeners = new Set<() => void>();
  listenPort = 0;

  constructor(private readonly o: PeerServiceOptions) {
    this.identity = deviceIdentity(o.stateDir);
    this.deviceName = o.deviceName ?? process.env.FERRY_DEVICE_NAME ?? hostname();
    this.invites = new InviteStore(o.stateDir);
    this.listener = new PeerListener({
      identity: this.identity,
      deviceName: this.deviceName,
      invites: this.invites,
      host: o.host,
      port: o.port ?? DEFAULT_PEER_PORT,
      log: o.log,
      onEvent: (e) => {
        if (e.type === 'pending') this.pendingDevices.set(e.deviceId, { ...e, at: Date.now() });
        if (e.type === 'paired') this.pendingDevices.delete(e.deviceId);
        o.onEvent?.(e);
        if (e.type !== 'refused') this.changed();
      },
    });
  }

  async start(): Promise<void> {
    this.listenPort = await this.listener.start();
    if (this.o.discovery !== false) {
      this.discovery = new LanDiscovery({
        deviceId: this.identity.id,
        listenPort: this.listenPort,
        port: this.o.discovery,
        onSeen: this.o.onSeen,
      });
      await this.discovery.start().catch((e: unknown) => {
        this.o.log?.(`LAN discovery is off: ${(e as Error).message}`);
        this.discovery = undefined;
      });
    }
    setPeerContext({
      identity: this.identity,
      deviceName: this.deviceName,
      listenPort: this.listenPort,
      finder: this.discovery,
      warn: (m) => this.o.log?.(`warning: ${m}`),
    });
  }

  async stop(): Promise<void> {
    this.discovery?.stop();
    await this.listener.stop();
    for (const f of this.feeds.values()) await f.close();
    this.feeds.clear();
    setPeerContext(undefined);
  }

  /**
   * Serves a folder to its paired devices; `changed` hears what they did here, `recordHeld`
   * records content they stored (in the folder's location-log batches).
   */
  async serve(
    repo: Repository,
    changed: (what: 'content' | ReceiveResult) => void,
    recordHeld?: (key: string) => void,
  ): Promise<void> {
    await this.feeds.get(repo.uuid)?.close(); // served again: one feed per folder
    this.feeds.delete(repo.uuid);
    const feed = await watchRefs(repo.gitdir, this.o.watch).catch(() => undefined);
    if (feed) this.feeds.set(repo.uuid, feed);
    this.repos.set(repo.uuid, repo);
    this.listener.serve({ repo, feed, changed, recordHeld });
  }

  async unserve(uuid: string): Promise<void> {
    this.listener.unserve(uuid);
    this.repos.delete(uuid);
    await this.feeds.get(uuid)?.close();
    this.feeds.delete(uuid);
  }

  /** The engine serves every folder it syncs now: devices that dialled at start are answered. */
  ready(): void {
    this.listener.ready();
  }

  /** A one-time code for another device to join the folder. */
  share(repo: Repository): string {
    return this.invites.create(this.identity.id, repo.top, repo.uuid);
  }

  pending(): PendingDevice[] {
    return [...this.pendingDevices.values()];
  }

  forgetPending(deviceId: string): void {
    this.pendingDevices.delete(deviceId);
    this.changed();
  }

  /** Pairs a pending device with the folder it asked for; the remote's name. */
  async accept(deviceId: string): Promise<{ remote: string; repo: Repository }> {
    const p = this.pendingDevices.get(deviceId);
    const repo = p ? this.repos.get(p.uuid) : undefined;
    if (!p || !repo)
      throw new FerryError('usage', 'no device with that ID is waiting for a folder synced here');
    const remote = await recordPeer(repo, undefined, {
      deviceId,
      uuid: p.clientUuid,
      name: p.name,
      lastAddress: p.listenAddress || undefined,
    });
    this.pendingDevices.delete(deviceId);
    this.changed();
    return { remote, repo };
  }

  /** Hears of pairings and pending devices (the window asks again). */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  private changed(): void {
    for (const l of [...this.changeListeners]) l();
  }
}
