/** The network map as the CLI and the UI see it. Plain serialisable data. */

export interface MapNode {
  readonly uuid: string;
  readonly description: string;
  /** local path, when the repository is on this machine */
  readonly path: string | null;
  readonly isHere: boolean;
  readonly isReachable: boolean;
  /** a remote whose repository was never reached (its UUID is not known yet) */
  readonly neverReached?: boolean;
}

/** "`from` can send to `to`" through the remote named `remote` in `from`'s config. */
export interface MapEdge {
  readonly from: string;
  readonly to: string;
  readonly cost: number;
  readonly remote: string;
  readonly isUp: boolean;
  /** where `from` finds `to` (a local path), or null for a network remote */
  readonly path: string | null;
  /** how a network link goes, when known: the address a Ferry device answered at (or last did) */
  readonly link?: string | null;
}

export interface NetworkMap {
  readonly root: string;
  readonly nodes: readonly MapNode[];
  readonly edges: readonly MapEdge[];
  /** edges of the minimum-cost arborescence over the links that are up */
  readonly arborescence: readonly MapEdge[];
}

/** One step of content's journey: `from` sends to `to` over the link `remote` (a name in `from`). */
export interface RouteHop {
  readonly from: string;
  readonly to: string;
  readonly remote: string;
  readonly cost: number;
}

export type NetworkEvent = {
  readonly type: 'map-changed';
  readonly map: NetworkMap;
  readonly at: number;
};
