/**
 * The ledger: every transfer this process knows, in exactly one state at a time (queued,
 * running, parked as waiting/paused/failed, or finished), with the pause switches. Pure
 * bookkeeping: operations change the records and return what changed (ids, counts, items), and
 * the transferrer decides what to emit and what to start.
 */
import type { TransferSnapshot } from '../../shared/transfers';
import {
  baseSnapshot,
  cancelledRecord,
  finishedSnapshot,
  parkedSnapshot,
  runningSnapshot,
  type Finished,
  type Parked,
  type Running,
} from './progress';
import { TransferQueue, type Priority, type QueueItem } from './queue';

export type ParkState = Parked['state'];

/** How many finished transfers are kept for the window's "Done" list. */
const FINISHED_KEPT = 200;

export class TransferLedger {
  readonly queue = new TransferQueue();
  readonly running = new Map<string, Running>();
  readonly parked = new Map<string, Parked>();
  private readonly finished: Finished[] = [];
  private readonly attempts = new Map<string, number>();
  readonly pausedRemotes = new Set<string>();
  isPaused = false;
  /** content moved: transfers, bytes, and bytes weighted by each link's cost */
  private readonly moved = { transfers: 0, bytes: 0, costBytes: 0 };

  countMoved(bytes: number, cost: number): void {
    this.moved.transfers++;
    this.moved.bytes += bytes;
    this.moved.costBytes += bytes * cost;
  }

  movedTotals(): { transfers: number; bytes: number; costBytes: number } {
    return { ...this.moved };
  }

  /** Queues an item unless it is already queued, running or parked. */
  enqueue(item: QueueItem, priority: Priority): boolean {
    if (this.running.has(item.id) || this.parked.has(item.id)) return false;
    return this.queue.add(item, priority);
  }

  /** Whether new transfers with `remote` are held by a pause. */
  isPausedFor(remote: string): boolean {
    return this.isPaused || this.pausedRemotes.has(remote);
  }

  park(
    item: QueueItem,
    state: ParkState,
    reason: string,
    retryAt: number | null,
    bytesDone = 0,
  ): void {
    this.parked.set(item.id, {
      item,
      state,
      reason,
      attempts: this.attempts.get(item.id) ?? 0,
      retryAt,
      bytesDone,
    });
  }

  /** Records one more failed attempt; returns the count. */
  failedAttempt(id: string): number {
    const n = (this.attempts.get(id) ?? 0) + 1;
    this.attempts.set(id, n);
    return n;
  }

  finish(run: Running, state: Finished['state']): void {
    this.finished.push({
      item: run.item,
      state,
      bytes: run.bytesDone,
      resumedFrom: run.resumedFrom ?? 0,
      startedAt: run.startedAt,
      finishedAt: Date.now(),
      attempts: (this.attempts.get(run.item.id) ?? 0) + 1,
    });
    this.trimFinished();
    this.attempts.delete(run.item.id);
  }

  private trimFinished(): void {
    if (this.finished.length > FINISHED_KEPT)
      this.finished.splice(0, this.finished.length - FINISHED_KEPT);
  }

  /** Tells the running transfers `which` accepts to stop, for `reason`; returns how many. */
  stopRunning(which: (item: QueueItem) => boolean, reason: Running['stopReason']): number {
    let n = 0;
    for (const r of this.running.values()) {
      if (!which(r.item)) continue;
      r.stopReason = reason;
      r.abort.abort();
      n++;
    }
    return n;
  }

  /** Takes the parked transfers `which` accepts out of the parked set and returns them. */
  unpark(which: (p: Parked) => boolean): QueueItem[] {
    const out: QueueItem[] = [];
    for (const [id, p] of this.parked) {
      if (!which(p)) continue;
      this.parked.delete(id);
      out.push(p.item);
    }
    return out;
  }

  /** Pauses everything, or one remote: its running transfers stop with their partial copies kept. */
  pause(remote?: string): void {
    if (remote) this.pausedRemotes.add(remote);
    else this.isPaused = true;
    this.stopRunning((i) => !remote || i.remote === remote, 'paused');
  }

  /** Lifts a pause (everything, or one remote); returns the paused transfers to queue again. */
  resume(remote?: string): QueueItem[] {
    if (remote) this.pausedRemotes.delete(remote);
    else {
      this.isPaused = false;
      this.pausedRemotes.clear();
    }
    return this.unpark((p) => p.state === 'paused' && (!remote || p.item.remote === remote));
  }

  /** Pauses one transfer, running or queued; returns whether there was one. */
  pauseOne(id: string): boolean {
    if (this.stopRunning((i) => i.id === id, 'paused') > 0) return true;
    const q = this.queue.remove(id);
    if (q) this.park(q, 'paused', 'paused', null);
    return q !== undefined;
  }

  /** Cancels what matches before it runs (queued or parked); returns the ids cancelled. */
  cancelWaiting(matches: (i: QueueItem) => boolean): string[] {
    const ids: string[] = [];
    for (const item of this.queue.removeWhere(matches)) {
      this.finished.push(cancelledRecord(item, 0));
      ids.push(item.id);
    }
    for (const [id, p] of this.parked) {
      if (!matches(p.item)) continue;
      this.parked.delete(id);
      this.finished.push(cancelledRecord(p.item, p.attempts));
      ids.push(id);
    }
    this.trimFinished();
    return ids;
  }

  /** Running transfers on `link` in `direction`, as `linkOf` names links. */
  busySlots(sameLink: (item: QueueItem) => boolean): number {
    let n = 0;
    for (const r of this.running.values()) if (sameLink(r.item)) n++;
    return n;
  }

  /**
   * Whether anything is queued, running or briefly held up between here and `remote` directly
   * (forwards aside); `isAvailable` says whether the remote is reachable now.
   */
  isRemoteBusy(remote: string, isAvailable: boolean): boolean {
    const direct = (i: QueueItem): boolean => i.remote === remote && !i.via;
    for (const r of this.running.values()) if (direct(r.item)) return true;
    if (this.queue.items().some(direct)) return !this.isPausedFor(remote);
    for (const p of this.parked.values())
      if (direct(p.item) && p.state === 'waiting' && (p.retryAt !== null || isAvailable))
        return true;
    return false;
  }

  /** Transfers with `remote` that failed and wait for a retry. */
  failedWith(remote: string): number {
    let n = 0;
    for (const p of this.parked.values()) if (p.item.remote === remote && p.state === 'failed') n++;
    return n;
  }

  /** The snapshot of one transfer, in whatever state it is; `isUp` says whether a queued item's link is up. */
  snapshotOf(id: string, isUp: (item: QueueItem) => boolean): TransferSnapshot | undefined {
    const attempts = (item: QueueItem): number => this.attempts.get(item.id) ?? 0;
    const r = this.running.get(id);
    if (r) return runningSnapshot(r, attempts(r.item));
    const p = this.parked.get(id);
    if (p) return parkedSnapshot(p);
    const q = this.queue.has(id) ? this.queue.items().find((i) => i.id === id) : undefined;
    if (q) {
      if (!isUp(q))
        return { ...baseSnapshot(q, 'waiting', attempts(q)), reason: `${q.remote} is offline` };
      if (this.isPausedFor(q.remote))
        return { ...baseSnapshot(q, 'paused', attempts(q)), reason: 'paused' };
      return baseSnapshot(q, 'queued', attempts(q));
    }
    for (let i = this.finished.length - 1; i >= 0; i--) {
      const f = this.finished[i];
      if (f?.item.id === id) return finishedSnapshot(f);
    }
    return undefined;
  }

  /** Every transfer: running, parked, queued (up to `limit`), then finished, newest first. */
  snapshot(limit: number, isUp: (item: QueueItem) => boolean): TransferSnapshot[] {
    const ids = [
      ...this.running.keys(),
      ...this.parked.keys(),
      ...this.queue.items(limit).map((i) => i.id),
      ...this.finished.map((f) => f.item.id).reverse(),
    ];
    const out: TransferSnapshot[] = [];
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id)) continue;
      seen.add(id);
      const s = this.snapshotOf(id, isUp);
      if (s) out.push(s);
    }
    return out;
  }
}
