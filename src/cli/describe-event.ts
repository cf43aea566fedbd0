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
