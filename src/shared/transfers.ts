/** Transfers as the CLI and the UI see them. Plain serialisable data. */
export type TransferDirection = 'upload' | 'download';

export type TransferState =
  'queued' | 'running' | 'waiting' | 'paused' | 'failed' | 'done' | 'cancelled';

export interface TransferSnapshot {
  readonly id: string;
  readonly direction: TransferDirection;
  readonly key: string;
  /** a work-tree file with this content, for people */
  readonly file: string;
  readonly remote: string;
  readonly remoteUuid: string;
  readonly state: TransferState;
  readonly bytesDone: number;
  /** bytes that were already there from an interrupted attempt (resumed, not sent again) */
  readonly resumedFrom: number;
  readonly size: number | null;
  /** bytes per second, averaged over the last few seconds */
  readonly rate: number;
  readonly etaSeconds: number | null;
  /** why it is waiting or failed */
  readonly reason: string | null;
  readonly nextRetryAt: number | null;
  readonly attempts: number;
  readonly queuedAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  /** started by another process (git-annex, another Ferry), seen through its transfer info file */
  readonly isExternal: boolean;
  /** for content forwarded between two other repositories on the route: the sender's name */
  readonly via: string | null;
  /** where the content goes next on its planned route, after this transfer (names) */
  readonly nextHops: readonly string[];
  /** the folder (repository UUID) whose transfer it is, when the engine syncs several */
  readonly repository?: string;
}

export interface TransferControlState {
  readonly isPaused: boolean;
  readonly pausedRemotes: readonly string[];
  readonly rateLimit: number;
  readonly remoteRateLimits: Readonly<Record<string, number>>;
}

export type TransferEvent =
  | { readonly type: 'transfer-changed'; readonly transfer: TransferSnapshot; readonly at: number }
  /** a transfer another process ran has ended (how, that process knows) */
  | { readonly type: 'transfer-gone'; readonly id: string; readonly at: number }
  | {
      readonly type: 'transfers-progressed';
      readonly progress: readonly {
        id: string;
        bytesDone: number;
        rate: number;
        etaSeconds: number | null;
      }[];
      readonly at: number;
    };
