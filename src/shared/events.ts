/** Past-tense facts the engine reports, for the CLI, the tray and the UI. Plain data only. */
export type ConflictKind =
  'both-annexed' | 'annexed-vs-plain' | 'delete-modify' | 'both-plain' | 'file-vs-directory';

export type SyncEvent =
  | {
      readonly type: 'committed';
      readonly repo: string;
      readonly commit: string;
      readonly files: number;
      /** some of the paths committed */
      readonly sample?: readonly string[];
      readonly at: number;
    }
  | {
      readonly type: 'fetched';
      readonly repo: string;
      readonly remote: string;
      readonly refs: readonly string[];
      readonly at: number;
    }
  | {
      readonly type: 'pushed';
      readonly repo: string;
      readonly remote: string;
      readonly refs: readonly string[];
      readonly tagged: boolean;
      readonly at: number;
    }
  | {
      readonly type: 'push-failed';
      readonly repo: string;
      readonly remote: string;
      readonly reason: string;
      readonly retryAt: number | null;
      readonly at: number;
    }
  | {
      readonly type: 'merged';
      readonly repo: string;
      readonly ref: string;
      readonly commit: string;
      /** the branch before the merge (null: it had no commit yet) */
      readonly before: string | null;
      /** how many files the merge changed here, and some of them */
      readonly changed?: number;
      readonly sample?: readonly string[];
      readonly isFastForward: boolean;
      readonly at: number;
    }
  | {
      readonly type: 'conflict-resolved';
      readonly repo: string;
      readonly path: string;
      readonly kind: ConflictKind;
      readonly kept: readonly string[];
      readonly at: number;
    }
  | {
      readonly type: 'annex-branch-merged';
      readonly repo: string;
      readonly refs: readonly string[];
      readonly at: number;
    }
  | {
      readonly type: 'local-changes-kept';
      readonly repo: string;
      readonly paths: readonly string[];
      readonly at: number;
    }
  | {
      /** a ref that could not be fetched or merged (a bad object on it); everything else synced */
      readonly type: 'ref-refused';
      readonly repo: string;
      /** the remote it came from, or null for a ref pushed into this repository */
      readonly remote: string | null;
      readonly ref: string;
      readonly step: 'fetch' | 'merge';
      readonly reason: string;
      readonly at: number;
    }
  | {
      /** a change that would delete many files was held until the user decides */
      readonly type: 'deletions-held';
      readonly repo: string;
      readonly id: string;
      readonly from: string;
      readonly deleted: number;
      readonly total: number;
      readonly at: number;
    }
  | {
      /** a held change was merged keeping the files it deleted */
      readonly type: 'deletions-kept';
      readonly repo: string;
      readonly from: string;
      readonly kept: number;
      readonly at: number;
    }
  | {
      /** a sync batch undone from the history: its changes reverted in a new commit */
      readonly type: 'sync-undone';
      readonly repo: string;
      readonly commit: string;
      readonly files: number;
      readonly at: number;
    }
  | {
      readonly type: 'change-hook-failed';
      readonly repo: string;
      readonly reason: string;
      readonly at: number;
    };

export type SyncEventListener = (event: SyncEvent) => void;
