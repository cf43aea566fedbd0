/**
 * Location-log changes of many transfers written together: each change asked for while the
 * journal lock is awaited or held joins the next write, which takes the lock once for all of
 * them. A burst of small files received at once used to wait for the lock once per file, each
 * time behind whatever merge held it. One queue per repository in this process; a caller's
 * promise settles when its own change is written.
 */
import type { AnnexBranch } from './branch';
import { addPresence } from './logs';
import { locationLogPath } from './paths';
import { nowTimestamp } from './timestamp';
import { span } from '../trace';

interface Pending {
  readonly key: string;
  readonly uuid: string;
  readonly present: boolean;
  readonly settle: (e?: Error) => void;
}

class PresenceQueue {
  private queue: Pending[] = [];
  private draining = false;

  constructor(
    private readonly branch: AnnexBranch,
    private readonly onIdle: () => void,
  ) {}

  add(p: Pending): void {
    this.queue.push(p);
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      // the changes asked for in this turn of the event loop go in the first write too
      await new Promise((r) => setImmediate(r));
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0);
        const written = span('presence-batch', String(batch.length));
        try {
          await this.branch.changeEach(
            batch.map(
              (p) =>
                [
                  locationLogPath(p.key),
                  (old: string) => addPresence(old, p.uuid, p.present ? '1' : '0', nowTimestamp()),
                ] as const,
            ),
          );
          for (const p of batch) p.settle();
        } catch (e) {
          const error = e instanceof Error ? e : new Error(String(e));
          for (const p of batch) p.settle(error);
        }
        written();
      }
    } finally {
      this.draining = false;
      this.onIdle();
    }
  }
}

const queues = new Map<string, PresenceQueue>();

/** Records that `uuid` has (or lacks) `key`, in a write shared with the changes asked for meanwhile. */
export function recordPresence(
  branch: AnnexBranch,
  key: string,
  uuid: string,
  present: boolean,
): Promise<void> {
  const id = branch.annexdir;
  let q = queues.get(id);
  if (!q) {
    const made = new PresenceQueue(branch, () => {
      if (queues.get(id) === made) queues.delete(id);
    });
    queues.set(id, (q = made));
  }
  const queue = q;
  return new Promise<void>((resolve, reject) =>
    queue.add({ key, uuid, present, settle: (e) => (e === undefined ? resolve() : reject(e)) }),
  );
}
