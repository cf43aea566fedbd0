/** Removable drives as the CLI, the tray and the UI see them. Plain serialisable data. */

export type DriveState = 'syncing' | 'safe-to-unplug' | 'removed';

export type DriveEvent =
  | {
      /** a mount holding a repository that is one of our remotes */
      readonly type: 'drive-appeared';
      readonly mountPoint: string;
      readonly remote: string;
      readonly path: string;
      readonly uuid: string;
      /** the remote's URL was updated because the drive is mounted somewhere else this time */
      readonly movedFrom: string | null;
      readonly at: number;
    }
  | {
      readonly type: 'drive-syncing';
      readonly mountPoint: string;
      readonly remote: string;
      readonly at: number;
    }
  | {
      /** nothing left to move either way; `failed` transfers need attention (see ferry transfers) */
      readonly type: 'drive-safe-to-unplug';
      readonly mountPoint: string;
      readonly remote: string;
      readonly failed: number;
      readonly at: number;
    }
  | {
      readonly type: 'drive-removed';
      readonly mountPoint: string;
      readonly remote: string;
      /** transfers stopped with their partial data kept, to resume at the next plug-in */
      readonly interrupted: number;
      readonly at: number;
    }
  | {
      /** a git-annex repository that is not a remote of ours: offer to sync with it */
      readonly type: 'drive-unknown-repository';
      readonly mountPoint: string;
      readonly path: string;
      readonly uuid: string;
      /** its description, when our git-annex branch knows it (a clone of ours, not yet a remote) */
      readonly knownAs: string | null;
      readonly at: number;
    }
  | {
      /** a drive without any repository: offer to make it one */
      readonly type: 'drive-empty';
      readonly mountPoint: string;
      readonly label: string | null;
      readonly at: number;
    };
