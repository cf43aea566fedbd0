/** Ferry devices: `share` (a one-time code for this folder) and `join` (sync a folder another device shares). */
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import {
  deviceIdentity,
  FerryError,
  ferryStateDir,
  InviteStore,
  joinFolder,
  LanDiscovery,
  openRepository,
  setPeerContext,
} from '../../engine';
import type { Command } from './common';

export const PEER_COMMANDS: Readonly<Record<string, Command>> = {
  share: {
    async run(args, io) {
      const repo = await openRepository(io.cwd);
      const me = deviceIdentity(ferryStateDir());
      const code = new InviteStore(ferryStateDir()).create(me.id, repo.top, repo.uuid);
      const name = process.env.FERRY_DEVICE_NAME ?? hostname();
      if (args.flags.has('json'))
        io.out(`${JSON.stringify({ device: me.id, name, code, folder: repo.top })}\n`);
      else
        io.out(
          `Device ${me.id} (${name}). To sync "${repo.top.split('/').at(-1) ?? repo.top}" on another device, run there:\n` +
            `  ferry join ${code}\n` +
            'The code works once, for an hour, while Ferry (the app or ferry assistant) runs here.\n' +
            (process.stdout.isTTY
              ? `${(await import('uqr')).renderUnicodeCompact(code, { ecc: 'M' })}\n`
              : ''),
        );
      return 0;
    },
  },
  join: {
    options: ['address', 'description'],
    async run(args, io) {
      const [code, dir] = args.positional;
      if (!code)
        throw new FerryError('usage', 'usage: ferry join CODE [folder] [--address HOST:PORT]');
      const target = resolve(io.cwd, dir ?? 'shared');
      const me = deviceIdentity(ferryStateDir());
      const name = process.env.FERRY_DEVICE_NAME ?? hostname();
      const address = args.options.get('address');
      const finder =
        address || process.env.FERRY_DISCOVERY === 'off'
          ? undefined
          : new LanDiscovery({
              deviceId: me.id,
              listenPort: 0,
              port: process.env.FERRY_DISCOVERY_PORT
                ? Number(process.env.FERRY_DISCOVERY_PORT)
                : undefined,
            });
      await finder?.start();
      setPeerContext({ identity: me, deviceName: name, listenPort: 0, finder });
      try {
        io.err(
          address ? `connecting to ${address}...\n` : 'looking for the device on this network...\n',
        );
        const r = await joinFolder(code, target, {
          address,
          description: args.options.get('description'),
        });
        if (args.flags.has('json'))
          io.out(
            `${JSON.stringify({ folder: r.repo.top, remote: r.remote, device: r.inviter })}\n`,
          );
        else
          io.out(
            `joined: ${r.repo.top} syncs with ${r.inviterName} (${r.inviter}) as remote ${r.remote}\n` +
              'Run the app or `ferry assistant` in it to keep it in sync.\n',
          );
        return 0;
      } finally {
        finder?.stop();
        setPeerContext(undefined);
      }
    },
  },
};
