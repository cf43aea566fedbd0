import type { DriveEvent } from '../shared/drives';
/** One readable line per engine event, for the terminal. */
import type { SyncEvent } from '../shared/events';

export function describeEvent(e: SyncEvent): string {
  switch (e.type) {
    case 'committed':
      return `committed ${e.files} ${e.files === 1 ? 'change' : 'changes'} (${e.commit.slice(0, 7)})`;
    case 'fetched':
      return `pulled from ${e.remote}: ${e.refs.length} updated ${e.refs.length === 1 ? 'ref' : 'refs'}`;
    case 'pushed':
      return `pushed to ${e.remote}${e.tagged ? ' (as tagged refs, after a rejected push)' : ''}`;
    case 'push-failed':
      return `push to ${e.remote} failed: ${e.reason}${e.retryAt ? `; retrying at ${new Date(e.retryAt).toLocaleTimeString()}` : ''}`;
    case 'merged':
      return `merged ${e.ref.replace(/^refs\/(heads\/|remotes\/)?/, '')}${e.isFastForward ? ' (fast-forward)' : ''}`;
    case 'conflict-resolved':
      return `conflict in ${e.path} resolved (${e.kind}): kept ${e.kept.join(', ')}`;
    case 'annex-branch-merged':
      return `merged location information from ${e.refs.length} ${e.refs.length === 1 ? 'branch' : 'branches'}`;
    case 'local-changes-kept':
      return `kept local changes to ${e.paths.join(', ')} (they will be committed on top)`;
    case 'change-hook-failed':
      return `change hook failed: ${e.reason}`;
  }
}

export function describeDriveEvent(e: DriveEvent): string {
  switch (e.type) {
    case 'drive-appeared':
      return `drive at ${e.mountPoint} holds remote ${e.remote}${e.movedFrom ? ` (moved from ${e.movedFrom}; remote URL updated)` : ''}`;
    case 'drive-syncing':
      return `syncing with the drive ${e.remote} (${e.mountPoint}); do not unplug it yet`;
    case 'drive-safe-to-unplug':
      return `the drive ${e.remote} (${e.mountPoint}) is in sync: safe to unplug${e.failed > 0 ? ` (${e.failed} transfer(s) failed; see ferry transfers)` : ''}`;
    case 'drive-removed':
      return `the drive ${e.remote} (${e.mountPoint}) was removed${e.interrupted > 0 ? `; ${e.interrupted} interrupted transfer(s) resume when it is back` : ''}`;
    case 'drive-unknown-repository':
      return `a drive at ${e.mountPoint} holds ${e.knownAs ? `"${e.knownAs}"` : 'a git-annex repository'} at ${e.path}, which is not a remote: add it with "git remote add NAME ${e.path}" to sync with it`;
    case 'drive-empty':
      return `a drive${e.label ? ` "${e.label}"` : ''} was mounted at ${e.mountPoint}; it holds no repository`;
  }
}
