/**
 * Noticing another machine's push to a special remote that carries history: its manifest is
 * polled with one cheap request (the object's ETag or size and time, not its bytes) every 5 s
 * after activity, backing off to 60 s while nothing happens (`remote.<name>.ferry-pollinterval`
 * sets the fastest, in seconds). A manifest this process wrote itself is not news.
 */
import type { ChangeCallbacks, ChangeWatch } from '../remotes/remote';
import type { SpecialRemote } from '../remotes/special';
import { errorMessage } from '../../shared/errors';
import { lastManifestStamp, onHistoryActivity } from './git-history';

const SLOWEST_MS = 60_000;

export function pollHistory(
  gitdir: string,
  remote: SpecialRemote,
  cb: ChangeCallbacks,
  fastestMs = 5000,
): ChangeWatch {
  const key = `GITMANIFEST--${remote.uuid}`;
  let every = fastestMs;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let wasUp: boolean | undefined;
  const tick = async (): Promise<void> => {
    try {
      const stamp = await remote.stampOf(key);
      if (wasUp !== true) cb.state(true);
      wasUp = true;
      if (stamp !== undefined && stamp !== lastManifestStamp(gitdir, remote.uuid)) {
        every = fastestMs;
        cb.changed([]);
      } else every = Math.min(SLOWEST_MS, every * 2);
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
