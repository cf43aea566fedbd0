/**
 * What is known of each ssh host's reachability, by remote URL: up, or down with the reason and
 * since when. Asking is cheap (the network map and the transferrer ask for every link); a down
 * host is probed again in the background at most every `PROBE_EVERY_MS`, so it comes back on
 * its own when the network returns.
 */
import type { Availability } from '../remotes/remote';
import type { SshProblemKind } from './problems';

export const PROBE_EVERY_MS = 15_000;

interface Health {
  availability: Availability;
  /** when it went down (ms), for "offline since" */
  since?: number;
  /** when it was last reached (ms) */
  lastUp?: number;
  probedAt: number;
  isProbing: boolean;
}

const hosts = new Map<string, Health>();

function reasonOf(
  kind: SshProblemKind,
): 'unreachable' | 'auth-needed' | 'host-key' | 'not-supported' {
  if (kind === 'auth-needed') return 'auth-needed';
  if (kind === 'host-key-unknown' || kind === 'host-key-changed') return 'host-key';
  if (kind === 'no-git-annex') return 'not-supported';
  return 'unreachable';
}

/** Who wants to know when a host that was down is reached again, by URL. */
const upListeners = new Map<string, Set<() => void>>();

/** Calls `listener` whenever the host at `url` is reached after being down; returns the unsubscribe. */
export function onHostUp(url: string, listener: () => void): () => void {
  const set = upListeners.get(url) ?? new Set<() => void>();
  set.add(listener);
  upListeners.set(url, set);
  return () => {
    set.delete(listener);
    if (set.size === 0) upListeners.delete(url);
  };
}

export function markUp(url: string): void {
  const h = hosts.get(url);
  const now = Date.now();
  if (h?.availability.state === 'down')
    for (const l of upListeners.get(url) ?? []) queueMicrotask(l);
  hosts.set(url, {
    availability: { state: 'up' },
    lastUp: now,
    probedAt: now,
    isProbing: h?.isProbing ?? false,
  });
}

export function markDown(url: string, kind: SshProblemKind, message: string): void {
  const h = hosts.get(url);
  const now = Date.now();
  hosts.set(url, {
    availability: { state: 'down', reason: reasonOf(kind), message },
    since: h?.availability.state === 'down' ? h.since : now,
    lastUp: h?.lastUp,
    probedAt: now,
    isProbing: h?.isProbing ?? false,
  });
}

/**
 * The host's availability; unknown hosts count as up until tried. When down and due, `probe`
 * runs once in the background (it marks the host up or down itself).
 */
export function sshAvailability(url: string, probe?: () => Promise<void>): Availability {
  const h = hosts.get(url);
  if (!h) return { state: 'up' };
  if (
    h.availability.state === 'down' &&
    probe &&
    !h.isProbing &&
    Date.now() - h.probedAt >= PROBE_EVERY_MS
  ) {
    h.isProbing = true;
    void probe()
      .catch(() => undefined)
      .finally(() => {
        const now = hosts.get(url);
        if (now) now.isProbing = false;
      });
  }
  return h.availability;
}

/** When the host went down, and when it was last reached (for "offline since ..."). */
export function sshHistory(url: string): { since?: number; lastUp?: number } {
  const h = hosts.get(url);
  return { since: h?.availability.state === 'down' ? h.since : undefined, lastUp: h?.lastUp };
}
