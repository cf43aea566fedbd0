/**
 * The window's Ferry devices commands (engine.ts hands them on): this device and the devices
 * paired with each folder with their state, a share code for a folder, joining a folder
 * another device shares, and accepting or dismissing a device that waits.
 */
import { resolve } from 'node:path';
import type { DevicesView, PairedDeviceView } from '../../shared/devices';
import type { RepositoryView } from '../../shared/ipc';
import type { Handlers } from '../dispatch';
import { FerryError } from '../errors';
import type { Folder } from '../folder';
import { getConfig } from '../git/read';
import { peerState } from './context';
import { INVITE_LIFETIME_MS } from './invites';
import { joinFolder } from './join';
import { pairedPeers } from './pairing';
import type { PeerService } from './peer-service';

export interface DeviceHost {
  readonly peers: PeerService | undefined;
  folderOf(repository: string): Folder;
  folders(): Folder[];
  /** starts syncing a folder that is a repository now */
  adopt(dir: string): Promise<RepositoryView>;
  note(repository: string, text: string): void;
}

type DeviceCommands = 'devices' | 'shareFolder' | 'joinShared' | 'acceptDevice' | 'dismissDevice';

function service(host: DeviceHost): PeerService {
  if (!host.peers)
    throw new FerryError(
      'usage',
      'this Ferry is not a device other devices can reach (started with peers off, or its port is taken: see the log)',
    );
  return host.peers;
}

async function pairedOf(m: Folder): Promise<PairedDeviceView[]> {
  const out: PairedDeviceView[] = [];
  for (const p of await pairedPeers(m.repo)) {
    const s = peerState(p.deviceId);
    const last = await getConfig(m.repo.git, `remote.${p.remote}.ferry-lastaddress`);
    out.push({
      deviceId: p.deviceId,
      remote: p.remote,
      repository: m.repo.uuid,
      state: s?.state ?? 'unknown',
      address: s?.state === 'online' ? s.address : (last ?? null),
      since: s?.since ?? null,
      message: s?.state === 'offline' ? s.message : null,
    });
  }
  return out;
}

export function deviceHandlers(host: DeviceHost): Pick<Handlers, DeviceCommands> {
  return {
    devices: async (): Promise<DevicesView> => {
      const peers = host.peers;
      const paired = (await Promise.all(host.folders().map((m) => pairedOf(m)))).flat();
      return {
        me: peers
          ? { id: peers.identity.id, name: peers.deviceName, port: peers.listenPort }
          : null,
        paired,
        pending: (peers?.pending() ?? []).map((p) => ({
          deviceId: p.deviceId,
          name: p.name,
          address: p.address,
          repository: p.uuid,
          at: p.at,
        })),
      };
    },
    shareFolder: ({ repository }) => {
      const peers = service(host);
      const m = host.folderOf(repository);
      const code = peers.share(m.repo);
      host.note(repository, 'made a code to share this folder (works once, for an hour)');
      return Promise.resolve({
        code,
        deviceId: peers.identity.id,
        deviceName: peers.deviceName,
        expiresAt: Date.now() + INVITE_LIFETIME_MS,
      });
    },
    joinShared: async ({ code, path, address }) => {
      service(host);
      if (path.trim() === '') throw new FerryError('usage', 'give the folder to sync it into');
      const dir = resolve(path.replace(/^~(?=$|\/)/, process.env.HOME ?? '~'));
      const r = await joinFolder(code.trim(), dir, { address: address?.trim() || undefined });
      const view = await host.adopt(r.repo.top);
      host.note(view.uuid, `joined the folder ${r.inviterName} shares (remote "${r.remote}")`);
      return view;
    },
    acceptDevice: async ({ deviceId }) => {
      const { remote, repo } = await service(host).accept(deviceId);
      host.note(repo.uuid, `accepted device ${deviceId.slice(0, 7)} as remote "${remote}"`);
      host.folderOf(repo.uuid).assistant.remotesChanged();
      return null;
    },
    dismissDevice: ({ deviceId }) => {
      service(host).forgetPending(deviceId);
      return Promise.resolve(null);
    },
  };
}
