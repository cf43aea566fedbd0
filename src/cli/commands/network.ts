/** The network: map and route. */
import {
  annexedFiles,
  buildNetworkMap,
  FerryError,
  floodTransfers,
  keySize,
  mapToDot,
  mapToText,
  openRepository,
  Transferrer,
} from '../../engine';
import { formatBytes } from '../progress';
import { open, paths, type Command } from './common';

export const NETWORK_COMMANDS: Readonly<Record<string, Command>> = {
  map: {
    async run(args, io) {
      const repo = await openRepository(io.cwd);
      const map = await buildNetworkMap(repo);
      if (args.flags.has('json')) io.out(`${JSON.stringify(map)}\n`);
      else if (args.flags.has('dot')) io.out(mapToDot(map));
      else io.out(mapToText(map));
      return 0;
    },
  },

  route: {
    async run(args, io) {
      const json = args.flags.has('json');
      const { repo } = await open(io);
      const files = await annexedFiles(repo, paths(args, io));
      if (args.positional.length === 0)
        throw new FerryError('usage', 'usage: ferry route FILE... [--json]');
      if (files.length === 0)
        throw new FerryError('usage', `no annexed file matches ${args.positional.join(' ')}`);
      const transfers = new Transferrer(repo, { routing: 'route' });
      await transfers.refresh();
      const map = transfers.networkMap();
      if (!map) throw new FerryError('io-error', 'the network map could not be read');
      const name = (uuid: string): string =>
        map.nodes.find((n) => n.uuid === uuid)?.description ?? uuid;
      for (const file of files) {
        const plan = await transfers.planFor(file.key, file.path);
        const size = keySize(file.key) ?? 0;
        const flood = floodTransfers(map, plan.holders, plan.wanting);
        const cost = plan.hops.reduce((n, h) => n + h.cost, 0);
        const floodCost = flood.reduce((n, h) => n + h.cost, 0);
        if (json) {
          io.out(
            `${JSON.stringify({ file: file.path, key: file.key, size, holders: [...plan.holders], wanting: [...plan.wanting], hops: plan.hops, unreachable: plan.unreachable, cost, bytes: size * plan.hops.length, flooding: { transfers: flood.length, cost: floodCost, bytes: size * flood.length } })}\n`,
          );
          continue;
        }
        io.out(`${file.path} (${formatBytes(size)})\n`);
        io.out(`  has it: ${[...plan.holders].map(name).join(', ') || 'nobody reachable'}\n`);
        if (plan.hops.length === 0)
          io.out('  nothing to send: every repository that wants it has it\n');
        else {
          io.out(
            `  route: ${plan.hops.length} ${plan.hops.length === 1 ? 'transfer' : 'transfers'}, ${formatBytes(size * plan.hops.length)}, link cost ${cost} (flooding: ${flood.length} ${flood.length === 1 ? 'transfer' : 'transfers'}, ${formatBytes(size * flood.length)}, link cost ${floodCost})\n`,
          );
          for (const h of plan.hops) {
            const path: string[] = [name(h.to)];
            for (let at = h.from; ;) {
              path.unshift(name(at));
              const up = plan.hops.find((x) => x.to === at);
              if (!up) break;
              at = up.from;
            }
            io.out(`    ${path.join(' -> ')}  (via "${h.remote}", cost ${h.cost})\n`);
          }
        }
        for (const u of plan.unreachable)
          io.out(
            `  cannot reach ${name(u)} now: it wants the file but no link that is up leads there\n`,
          );
      }
      await transfers.stop();
      return 0;
    },
  },
};
