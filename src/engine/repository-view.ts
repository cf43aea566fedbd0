/**
 * A folder as the window and the tray show it: its status, a state and, when it is not in sync,
 * the reason in words. Pure: paused beats a failed push (to a remote that is there) beats
 * offline beats syncing beats idle; a folder with no remote is not shared yet.
 */
import type { RepositoryView } from '../shared/ipc';
import type { RepositoryStatus } from '../shared/types';

export interface ViewFacts {
  readonly isPaused: boolean;
  /** remotes whose last push failed, with why */
  readonly failed: readonly { remote: string; reason: string }[];
  /** transfers of this process running or queued */
  readonly active: number;
  /** transfers waiting for an offline remote */
  readonly waiting: number;
  /** when the folder last sent changes to a remote (by name), when known */
  readonly lastSynced?: (remote: string) => number | undefined;
}

export function repositoryView(status: RepositoryStatus, facts: ViewFacts): RepositoryView {
  const reachable = status.remotes.filter((r) => r.isAvailable);
  // a push that failed because its remote is away (a drive unplugged, a host offline) is no
  // error: it waits for the remote, and goes when it is back
  const away = new Set(status.remotes.filter((r) => !r.isAvailable).map((r) => r.name));
  const failed = facts.failed.filter((f) => !away.has(f.remote));
  const waitingFor = facts.failed.filter((f) => away.has(f.remote)).map((f) => f.remote);
  let state: RepositoryView['state'] = 'idle';
  let reason: string | null = null;
  const [held] = status.held;
  if (held) {
    state = 'error';
    reason = `${held.from} deleted ${held.deleted.toLocaleString('en-US')} of ${held.total.toLocaleString('en-US')} files: held until you apply it or keep your files`;
  } else if (facts.isPaused) {
    state = 'paused';
    reason = 'transfers are paused';
  } else if (failed.length > 0) {
    state = 'error';
    reason = failed.map((f) => `could not send changes to ${f.remote}: ${f.reason}`).join('; ');
  } else if (status.remotes.length > 0 && reachable.length === 0) {
    state = 'offline';
    reason = `no remote is reachable (${status.remotes.map((r) => r.name).join(', ')})`;
  } else if (facts.active > 0) {
    state = 'syncing';
    reason = `${facts.active} ${facts.active === 1 ? 'transfer' : 'transfers'} in progress`;
  } else if (facts.waiting > 0) {
    reason = `${facts.waiting} ${facts.waiting === 1 ? 'file waits' : 'files wait'} for a remote that is offline`;
  } else if (waitingFor.length > 0) {
    reason = `changes wait for ${waitingFor.join(', ')} to be back`;
  } else if (status.remotes.length === 0) {
    state = 'not-shared';
    reason = 'not shared yet: add a clone, a drive or another computer to sync with';
  }
  // a remote that is away says when it was last synced (an ssh host knows when it was last up)
  const remotes = status.remotes.map((r) =>
    r.isAvailable || r.lastSeen !== null
      ? r
      : { ...r, lastSeen: facts.lastSynced?.(r.name) ?? null },
  );
  return { ...status, remotes, state, reason };
}
