/**
 * Noticing another machine's push to a special remote that carries history: its manifest is
 * polled with one cheap request (the object's ETag or size and time, not its bytes) every 5 s
 * for a minute after activity (a push from here, a change seen there), then backing off,
 * doubling up to 60 s while nothing happens (`remote.<name>.ferry-pollinterval` sets the
 * fastest, in seconds). A manifest this repository wrote itself is not news.
 */
import type { ChangeCallbacks, ChangeWatch } from '../remotes/remote';
import type { SpecialRemote } from '../remotes/special';
import { errorMessage } from '../../shared/errors';
import { lastManifestStamp, onHistoryActivity } from './git-history';

const SLOWEST_MS = 60_000;
/** how long polling stays at its fastest after activity */
const BUSY_MS = 60_000;

export function pollHistory(
  gitdir: string,
  remote: SpecialRemote,
  cb: ChangeCallbacks,
  fastestMs = 5000,
): ChangeWatch {
  const key = `GITMANIFEST--${remote.uuid}`;
  let every = fastestMs;
  let activeAt = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const slower = (): number =>
    Date.now() - activeAt < BUSY_MS ? fastestMs : Math.min(SLOWEST_MS, every * 2);
  let closed = false;
  let wasUp: boolean | undefined;
  const tick = async (): Promise<void> => {
    try {
      const stamp = await remote.stampOf(key);
      if (wasUp !== true) cb.state(true);
      wasUp = true;
      if (stamp !== undefined && stamp !== lastManifestStamp(gitdir, remote.uuid)) {
        every = fastestMs;
        activeAt = Date.now();
        cb.changed([]);
      } else every = slower();
    } catch (e) {
      if (wasUp !== false) cb.state(false, errorMessage(e));
      wasUp = false;
      every = Math.min(SLOWEST_MS, every * 2);
    }
    schedule();
  };
  const schedule = (): void => {
    if (closed) return;
    timer = setTimeout(() => void tick(), every);
    timer.unref();
  };
  const soon = (): void => {
    every = fastestMs;
    activeAt = Date.now();
    if (timer) clearTimeout(timer);
    schedule();
  };
  const unsubscribe = onHistoryActivity(gitdir, remote.uuid, soon);
  schedule();
  return {
    retryNow: soon,
    close() {
      closed = true;
      unsubscribe();
      if (timer) clearTimeout(timer);
    },
  };
}
