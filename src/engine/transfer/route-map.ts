/**
 * The network map routes are planned on, kept current: rebuilt on refresh, after pushes, on
 * mounts and when a link on a route goes down (never on a timer), and announced only when it
 * changed. Undefined while flooding, or while it cannot be read (then content floods).
 */
import type { NetworkEvent, NetworkMap } from '../../shared/network';
import { errorMessage } from '../../shared/errors';
import type { Repository } from '../annex/repository';
import { buildNetworkMap } from '../network/network-map';

export class RouteMap {
  private map: NetworkMap | undefined;
  private json = '';

  constructor(
    private readonly repo: Repository,
    private readonly announce?: (e: NetworkEvent) => void,
    private readonly log?: (message: string) => void,
  ) {}

  get current(): NetworkMap | undefined {
    return this.map;
  }

  /** Rebuilds the map when routing (`isRouting`); clears it when flooding. */
  async refresh(isRouting: boolean): Promise<NetworkMap | undefined> {
    if (!isRouting) {
      this.map = undefined;
      return undefined;
    }
    try {
      const map = await buildNetworkMap(this.repo);
      const json = JSON.stringify(map);
      this.map = map;
      if (json !== this.json) {
        this.json = json;
        this.announce?.({ type: 'map-changed', map, at: Date.now() });
      }
    } catch (e) {
      this.log?.(`network map: ${errorMessage(e)}; flooding until it can be read`);
      this.map = undefined;
    }
    return this.map;
  }
}
