/**
 * The transferrer's settings, read from the repository's git config each refresh:
 * `ferry.transferslots` (transfers at once per remote and direction), `ferry.ratelimit` and
 * `remote.<name>.ferry-ratelimit` (bytes per second), and `ferry.routing` (`route` or `flood`).
 */
import type { NetworkEvent } from '../../shared/network';
import type { TransferEvent } from '../../shared/transfers';
import type { Repository } from '../annex/repository';
import { getConfig } from '../git/read';

export interface TransferrerOptions {
  readonly events?: (e: TransferEvent) => void;
  readonly log?: (message: string) => void;
  /** transfers at once per remote and direction (default `ferry.transferslots`, else 1) */
  readonly slots?: number;
  /** how many queued transfers a scan keeps in memory at most */
  readonly maxQueued?: number;
  /** called after a transfer changed location logs (so the assistant can push git-annex) */
  readonly onLogsChanged?: () => void;
  /** 'route' (default, or `ferry.routing`): along the least-cost routes of the network map, forwarding through other local repositories; 'flood': to every direct remote */
  readonly routing?: 'route' | 'flood';
  /** the network map, when it is built and whenever it changes */
  readonly network?: (e: NetworkEvent) => void;
}

export interface TransferSettings {
  readonly slots: number;
  /** overall limit in bytes per second (0: none), when set */
  readonly rateLimit: number | undefined;
  /** per-remote limits, by remote name */
  readonly remoteRateLimits: ReadonlyMap<string, number>;
  readonly routing: 'route' | 'flood';
}

export async function readTransferSettings(
  repo: Repository,
  remoteNames: readonly string[],
  overrides: { slots?: number; routing?: 'route' | 'flood' } = {},
): Promise<TransferSettings> {
  const slots = Number(await getConfig(repo.git, 'ferry.transferslots'));
  const limit = Number(await getConfig(repo.git, 'ferry.ratelimit'));
  const remoteRateLimits = new Map<string, number>();
  for (const name of remoteNames) {
    const perRemote = Number(await getConfig(repo.git, `remote.${name}.ferry-ratelimit`));
    if (Number.isFinite(perRemote) && perRemote > 0) remoteRateLimits.set(name, perRemote);
  }
  const routing = overrides.routing ?? (await getConfig(repo.git, 'ferry.routing'));
  return {
    slots: overrides.slots ?? (Number.isInteger(slots) && slots > 0 ? slots : 1),
    rateLimit: Number.isFinite(limit) && limit >= 0 ? limit : undefined,
    remoteRateLimits,
    routing: routing === 'flood' ? 'flood' : 'route',
  };
}
