/** Plain serialisable data that crosses boundaries (CLI JSON, IPC, the web UI). */
export interface RemoteStatus {
  readonly name: string;
  readonly url: string;
  readonly uuid: string | null;
  /** the repository's description from uuid.log ("laptop", "nas photos"), when known */
  readonly description: string | null;
  readonly cost: number;
  readonly isAvailable: boolean;
  /** the remote's kind ('local-repo', or 'unsupported' for what Ferry cannot use yet) */
  readonly kind: string;
  /** why it cannot be used, in words (not supported yet, not reachable), or null */
  readonly note: string | null;
  /** connected, or why not: the window says it in words */
  readonly state: RemoteState;
  /** when it went offline (ms), for "offline since ..."; null when up or unknown */
  readonly downSince: number | null;
  /** when it was last reached (ms), when known */
  readonly lastSeen: number | null;
  /** what it lacks of the files it wants (by its preferred content); absent when unknown */
  readonly lacks?: { readonly files: number; readonly bytes: number };
}

export type RemoteState =
  'connected' | 'offline' | 'unplugged' | 'auth-needed' | 'host-key' | 'not-supported';

export interface RepositoryStatus {
  readonly uuid: string;
  readonly description: string;
  readonly top: string;
  readonly isBare: boolean;
  readonly branch: string | null;
  readonly annexedFiles: number;
  readonly presentFiles: number;
  readonly presentBytes: number;
  readonly numcopies: number;
  readonly pendingJournal: number;
  readonly remotes: readonly RemoteStatus[];
  /** changes from elsewhere that would delete many files, held until the user decides */
  readonly held: readonly HeldDeletion[];
  /** files changed in two places, both versions kept: one entry per original name */
  readonly conflicts: readonly ConflictGroup[];
}

/** A change from elsewhere that would delete many of the folder's files, held, not merged. */
export interface HeldDeletion {
  /** the commit that was held */
  readonly id: string;
  readonly ref: string;
  /** where it came from, in words (a remote's name or description) */
  readonly from: string;
  readonly deleted: number;
  /** the folder's files before it */
  readonly total: number;
  /** some of the paths it deletes */
  readonly sample: readonly string[];
  readonly at: number;
}

/** The versions of one file that a conflict kept (`path` is the name they share). */
export interface ConflictGroup {
  readonly path: string;
  readonly variants: readonly ConflictVersion[];
}

/** One kept version: its name, and its size and change time here when its content is here. */
export interface ConflictVersion {
  readonly path: string;
  readonly size: number | null;
  readonly modifiedAt: number | null;
}

/** One file's reason for not being in sync in one repository (`remote` null: here). */
export interface OutOfSync {
  readonly path: string;
  readonly key: string;
  readonly remote: string | null;
  readonly reason:
    | 'offline'
    | 'queued'
    | 'waiting'
    | 'moving'
    | 'paused'
    | 'failed'
    | 'no-copy'
    | 'conflict'
    /** not out of sync: the remote's preferred content leaves it out (said when asked about it) */
    | 'not-wanted'
    /** not out of sync: git keeps it (annex.largefiles), it goes with the history */
    | 'in-git';
  /** the reason in words */
  readonly text: string;
  /** when a failed or waiting transfer is tried again (ms), when known */
  readonly nextRetryAt: number | null;
}
