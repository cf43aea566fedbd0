/**
 * What this process knows about being a Ferry device: its identity and name, the port it
 * listens on (0: it does not), the devices its LAN discovery has seen, and each paired
 * device's state (reached at an address, or offline since when). The engine sets it up
 * with its listener and discovery; a one-off command (`ferry sync`, `ferry join`) gets the
 * identity from the user's Ferry folder and no discovery (known and static addresses only).
 */
import { hostname, homedir } from 'node:os';
import { join } from 'node:path';
import { deviceIdentity, type DeviceIdentity } from './identity';

/** The user's Ferry folder: FERRY_STATE_DIR, else $XDG_CONFIG_HOME/ferry (~/.config/ferry). */
export function ferryStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.FERRY_STATE_DIR ?? join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'ferry');
}

export interface Sighting {
  readonly deviceId: string;
  readonly host: string;
  readonly port: number;
  readonly seen: number;
}

export interface DeviceFinder {
  /** where the device was seen announcing itself lately */
  find(deviceId: string): Sighting | undefined;
  /** devices whose ID starts so (an invite's prefix), newest first */
  findPrefix(prefix: string): Sighting[];
  /** announces this device at once and listens a moment longer (a join looking for its inviter) */
  ask?(): void;
}

export type PeerState =
  | { readonly state: 'online'; readonly address: string; readonly since: number }
  | { readonly state: 'offline'; readonly since: number; readonly message: string };

export interface PeerContext {
  readonly identity: DeviceIdentity;
  readonly deviceName: string;
  readonly listenPort: number;
  readonly finder?: DeviceFinder;
  /** told of something the user should know (a device at an address with another key) */
  readonly warn?: (message: string) => void;
}

let current: PeerContext | undefined;
const newsListeners = new Set<(deviceId: string | undefined) => void>();

/**
 * News worth retrying a paired device for: it announced itself (`deviceId`), or this device's
 * own network changed (undefined: a link came up, an address changed).
 */
export function peerNews(deviceId: string | undefined): void {
  for (const l of [...newsListeners]) l(deviceId);
}

export function onPeerNews(listener: (deviceId: string | undefined) => void): () => void {
  newsListeners.add(listener);
  return () => newsListeners.delete(listener);
}

const states = new Map<string, PeerState>();
const stateListeners = new Set<(deviceId: string, s: PeerState) => void>();

export function setPeerContext(ctx: PeerContext | undefined): void {
  current = ctx;
}

export function peerContext(): PeerContext {
  current ??= {
    identity: deviceIdentity(ferryStateDir()),
    deviceName: process.env.FERRY_DEVICE_NAME ?? hostname(),
    listenPort: 0,
  };
  return current;
}

export function peerState(deviceId: string): PeerState | undefined {
  return states.get(deviceId);
}

export function onPeerState(listener: (deviceId: string, s: PeerState) => void): () => void {
  stateListeners.add(listener);
  return () => stateListeners.delete(listener);
}

/** Records a device reached (at `address`) or not (why); listeners hear only real changes. */
export function markPeer(deviceId: string, address: string | undefined, message?: string): void {
  const was = states.get(deviceId);
  let next: PeerState;
  if (address)
    next =
      was?.state === 'online' && was.address === address
        ? was
        : { state: 'online', address, since: Date.now() };
  else
    next =
      was?.state === 'offline'
        ? { ...was, message: message ?? was.message }
        : { state: 'offline', since: Date.now(), message: message ?? 'not reachable' };
  states.set(deviceId, next);
  if (next !== was && (next.state !== was?.state || next.state === 'online'))
    for (const l of [...stateListeners]) l(deviceId, next);
}
