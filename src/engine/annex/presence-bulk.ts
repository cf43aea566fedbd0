/**
 * Location-log changes of many transfers (`ferry copy`, `ferry get`, the assistant's queue),
 * gathered and written straight to the branches in batches: one commit per batch instead of a
 * journal file per file on each side, each under its own lock hold. A copy of 1,000 small files
 * wrote 2,000 journal files, each a new file on a slow disk, and a burst between two
 * assistants took each side's journal lock 3,000 times. A change is only gathered once its
 * content was verified and made durable where it went, so a process stopped before a batch is
 * written leaves logs that say less than is true (the next look finds the content there and
 * records it), never more.
 */
import type { AnnexBranch } from './branch';
import { addPresenceUnlessNewer } from './logs';
import { locationLogPath } from './paths';
import { nowTimestamp, type Timestamp } from './timestamp';
import { span } from '../trace';

/** Per branch, per key: the repositories to record as holding it, and since when. */
type Batch = Map<AnnexBranch, Map<string, Map<string, Timestamp>>>;

export class PresenceBulk {
  private pending: Batch = new Map();
  /** batches handed to the writer and not written yet */
  private readonly inFlight = new Set<Batch>();
  private count = 0;
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  /** when the last batch was handed to the writer */
  private lastFlushAt = -Infinity;

  /**
   * `every`: how many changes make a batch; `afterMs`: a batch is also written this long after
   * its first change (the assistant's, so a quiet moment still records what moved);
   * `onWritten`: called after each batch is written (the assistant pushes its branch then);
   * `background`: a change that fills a batch does not wait for it to be written (the
   * assistant's transfers go on meanwhile; a batch that cannot be written goes to `onError`);
   * `minGapMs`: a batch made by the timer waits at least this long after the one before (a
   * burst makes a commit a second on each side, not one per `afterMs`: each commit is pushed
   * and merged by the other side, and those rounds were most of a burst's work).
   */
  constructor(
    private readonly every = 500,
    private readonly options: {
      afterMs?: number;
      onWritten?: () => void;
      background?: boolean;
      onError?: (e: unknown) => void;
      minGapMs?: number;
    } = {},
  ) {}

  /** Notes that `uuid` holds `key`, in `branch`; resolves once written when it filled a batch. */
  add(branch: AnnexBranch, key: string, uuid: string): Promise<void> {
    let keys = this.pending.get(branch);
    if (!keys) this.pending.set(branch, (keys = new Map<string, Map<string, Timestamp>>()));
    let uuids = keys.get(key);
    if (!uuids) keys.set(key, (uuids = new Map<string, Timestamp>()));
    if (!uuids.has(uuid)) {
      uuids.set(uuid, nowTimestamp());
      this.count++;
    }
    if (this.count >= this.every) {
      if (!this.options.background) return this.flush();
      this.flushInBackground();
      return Promise.resolve();
    }
    if (this.options.afterMs !== undefined && !this.timer) {
      const sinceLast = Date.now() - this.lastFlushAt;
      const wait = Math.max(this.options.afterMs, (this.options.minGapMs ?? 0) - sinceLast);
      this.timer = setTimeout(() => this.flushInBackground(), wait);
      this.timer.unref?.();
    }
    return Promise.resolve();
  }

  private flushInBackground(): void {
    this.flush().catch((e: unknown) => this.options.onError?.(e));
  }

  /**
   * The repositories gathered as holding `key` in `branch` and not written yet (being written
   * included): what the logs will say, for decisions made before they do.
   */
  pendingFor(branch: AnnexBranch, key: string): string[] {
    const out = new Set(this.pending.get(branch)?.get(key)?.keys() ?? []);
    for (const batch of this.inFlight)
      for (const u of batch.get(branch)?.get(key)?.keys() ?? []) out.add(u);
    return [...out];
  }

  /** Writes what was gathered; batches are written one after the other, in order. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.lastFlushAt = Date.now();
    const batch = this.pending;
    this.pending = new Map();
    this.count = 0;
    this.inFlight.add(batch);
    const wrote = this.writing.then(() => write(batch)).finally(() => this.inFlight.delete(batch));
    // a failed batch (a vanished drive) fails its own waiters, not every later batch
    this.writing = wrote.catch(() => undefined);
    return wrote.then(() => {
      if (batch.size > 0) this.options.onWritten?.();
    });
  }
}

async function write(batch: Batch): Promise<void> {
  if (batch.size === 0) return;
  const ended = span('presence-bulk', String(batch.size));
  try {
    for (const [branch, keys] of batch) {
      const changes = new Map<string, (old: string) => string | undefined>();
      for (const [key, uuids] of keys)
        changes.set(locationLogPath(key), (old) => {
          let text: string | undefined;
          // Stamped when the content was there, so a change recorded since (a drop made
          // before this batch was written) stays the newer one and is never overwritten.
          for (const [uuid, at] of uuids)
            text = addPresenceUnlessNewer(text ?? old, uuid, '1', at) ?? text;
          return text; // undefined: every log already said so
        });
      // committed straight away: a remote's branch too, which another clone fetches from
      await branch.changeMany(changes);
    }
  } finally {
    ended();
  }
}
