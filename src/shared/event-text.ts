/**
 * Every event in words, in one place: the terminal's lines (`ferry sync`, `ferry assistant`),
 * the window's activity entries and the desktop notifications. Pure functions of plain events.
 */
import type { DriveEvent } from './drives';
import type { SyncEvent } from './events';
import { formatBytes } from './format';
import type { EngineEvent } from './ipc';
import type { TransferSnapshot } from './transfers';

// ---------------------------------------------------------------- the terminal

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
    case 'ref-refused':
      return `could not ${e.step} ${e.ref}${e.remote ? ` from ${e.remote}` : ''}: ${e.reason}`;
    case 'change-hook-failed':
      return `change hook failed: ${e.reason}`;
    case 'deletions-held':
      return heldText(e);
    case 'deletions-kept':
      return keptText(e);
    case 'sync-undone':
      return undoneText(e);
  }
}

function undoneText(e: { files: number }): string {
  return `undid a sync: ${count(e.files)} ${e.files === 1 ? 'file' : 'files'} back as they were`;
}

const count = (n: number): string => n.toLocaleString('en-US');

function heldText(e: { from: string; deleted: number; total: number; id: string }): string {
  return `${e.from} deleted ${count(e.deleted)} of ${count(e.total)} files: held until you decide (ferry deletions apply|keep ${e.id.slice(0, 8)})`;
}

function keptText(e: { from: string; kept: number }): string {
  return `kept ${count(e.kept)} files that ${e.from} deleted; they go back to it with the next sync`;
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

export function describeTransfer(t: TransferSnapshot): string {
  const arrow =
    t.direction === 'upload'
      ? `${t.via ? `${t.via} ` : ''}→ ${t.remote}${t.nextHops.length > 0 ? ` → ${t.nextHops.join(', ')}` : ''}`
      : `← ${t.remote}`;
  const pct = t.size ? ` ${Math.floor((t.bytesDone / t.size) * 100)}%` : '';
  const rate = t.state === 'running' && t.rate > 0 ? ` ${formatBytes(t.rate)}/s` : '';
  const eta = t.etaSeconds !== null && t.state === 'running' ? ` ETA ${t.etaSeconds}s` : '';
  const reason = t.reason
    ? ` (${t.reason}${t.nextRetryAt ? `; retry at ${new Date(t.nextRetryAt).toLocaleTimeString()}` : ''})`
    : '';
  return `${t.state.padEnd(9)} ${t.file} ${arrow}${pct}${rate}${eta}${reason}  [${t.id}]`;
}

/** The line `ferry assistant` prints for an event, or null for what is only for the window. */
export function describeEngineEvent(e: EngineEvent): string | null {
  switch (e.type) {
    case 'committed':
    case 'fetched':
    case 'pushed':
    case 'push-failed':
    case 'merged':
    case 'conflict-resolved':
    case 'annex-branch-merged':
    case 'local-changes-kept':
    case 'ref-refused':
    case 'change-hook-failed':
    case 'deletions-held':
    case 'deletions-kept':
    case 'sync-undone':
      return describeEvent(e);
    case 'drive-appeared':
    case 'drive-syncing':
    case 'drive-safe-to-unplug':
    case 'drive-removed':
    case 'drive-unknown-repository':
    case 'drive-empty':
      return describeDriveEvent(e);
    case 'transfer-changed':
      return e.transfer.state === 'done' || e.transfer.state === 'failed'
        ? describeTransfer(e.transfer)
        : null;
    case 'transfer-gone':
      return null;
    case 'map-changed': {
      const up = e.map.edges.filter((x) => x.isUp).length;
      return `network map: ${e.map.nodes.length} repositories, ${up} of ${e.map.edges.length} links up, ${e.map.arborescence.length} on least-cost routes`;
    }
    case 'control-changed': {
      const limit =
        e.control.rateLimit > 0 ? `, at most ${formatBytes(e.control.rateLimit)}/s` : '';
      const paused =
        e.control.pausedRemotes.length > 0
          ? ` (paused: ${e.control.pausedRemotes.join(', ')})`
          : '';
      return `transfers ${e.control.isPaused ? 'paused' : 'running'}${limit}${paused}`;
    }
    case 'error-raised':
      return e.message;
    case 'transfers-progressed':
    case 'repository-changed':
    case 'repository-removed':
    case 'activity':
    case 'offers-changed':
    case 'devices-changed':
      return null;
  }
}

// ---------------------------------------------------------------- the activity list

/** The activity entry of a sync event, or null for what the list does not show. */
export const activityText = (e: SyncEvent): string | null => {
  switch (e.type) {
    case 'committed':
      return `committed ${e.files} ${e.files === 1 ? 'change' : 'changes'}`;
    case 'merged':
      return `merged changes from ${e.ref.replace(/^refs\/(remotes\/|heads\/)?/, '')}`;
    case 'pushed':
      return `sent changes to ${e.remote}`;
    case 'push-failed':
      return `could not send changes to ${e.remote}: ${e.reason}`;
    case 'conflict-resolved':
      return `${e.path} was changed in two places; both versions are kept (${e.kept.join(', ')})`;
    case 'local-changes-kept':
      return `kept local changes to ${e.paths.length} file(s) that an incoming change also touched`;
    case 'change-hook-failed':
      return `the change hook failed: ${e.reason}`;
    case 'ref-refused':
      return `could not ${e.step} ${e.ref}${e.remote ? ` from ${e.remote}` : ''}: ${e.reason}`;
    case 'deletions-held':
      return `${e.from} deleted ${count(e.deleted)} of ${count(e.total)} files: held until you apply it or keep yours`;
    case 'deletions-kept':
      return keptText(e);
    case 'sync-undone':
      return undoneText(e);
    default:
      return null;
  }
};

/** The activity entry of a drive event. */
export const driveActivityText = (e: DriveEvent): string => {
  switch (e.type) {
    case 'drive-appeared':
      return `drive ${e.remote} plugged in at ${e.mountPoint}`;
    case 'drive-syncing':
      return `syncing with drive ${e.remote}`;
    case 'drive-safe-to-unplug':
      return `drive ${e.remote} is in sync: safe to unplug`;
    case 'drive-removed':
      return `drive ${e.remote} was removed`;
    case 'drive-unknown-repository':
      return `a drive at ${e.mountPoint} holds ${e.knownAs ?? 'a repository'} that is not synced yet (${e.path})`;
    case 'drive-empty':
      return `an empty drive was mounted at ${e.mountPoint}`;
  }
};

// ---------------------------------------------------------------- notifications

/** Pure: the desktop notification an event deserves, if any. */
export function notificationFor(e: EngineEvent): { title: string; body: string } | null {
  switch (e.type) {
    case 'conflict-resolved':
      return {
        title: 'Both versions kept',
        body: `${e.path} was changed in two places; Ferry kept ${e.kept.join(' and ')}.`,
      };
    case 'drive-safe-to-unplug':
      return {
        title: 'Safe to unplug',
        body: `The drive ${e.remote} is in sync${e.failed > 0 ? ` (${e.failed} transfer(s) failed)` : ''}.`,
      };
    case 'drive-unknown-repository':
      return {
        title: 'A drive with a repository',
        body: `${e.path} holds ${e.knownAs ? `"${e.knownAs}"` : 'a git-annex repository'}. Open Ferry to sync with it.`,
      };
    case 'deletions-held':
      return {
        title: 'Many files deleted elsewhere',
        body: `${e.from} deleted ${count(e.deleted)} of ${count(e.total)} files. Nothing is deleted here until you decide: open Ferry.`,
      };
    case 'error-raised':
      return { title: 'Ferry needs you', body: e.message };
    default:
      return null;
  }
}
