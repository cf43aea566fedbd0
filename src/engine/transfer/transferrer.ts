/**
 * The transferrer: the state machine that moves file content between this repository and its
 * remotes. Its records live in the ledger (queued, running, parked, finished); `pump()` starts
 * what may start (at most `slots` per link and direction, so a fast drive never waits behind a
 * slow link); each run is one attempt (attempt.ts) whose result transfer-core.ts applies: done (and sent
 * on), held (retried in 2 s), parked until resumed or the remote is back, or failed (retried
 * after 10 s doubling to 30 min). A recheck timer (every 2 s, only while something waits)
 * re-queues what can go now. The claims, locks and log rule of one transfer are runner.ts's.
 */
import type { TransferControlState, TransferSnapshot } from '../../shared/transfers';
import type { QueueItem } from './queue';
import { remoteScanItems } from './scanner';
import { remoteTag, TransferCore } from './transfer-core';

export type { TransferrerOptions } from './settings';

/** The transferrer's controls (pause, resume, cancel, limits), its listing, and its drive hooks. */
export class Transferrer extends TransferCore {
  pause(remote?: string): void {
    this.ledger.pause(remote);
    this.observer.controlChanged();
  }

  resume(remote?: string): void {
    this.requeue(this.ledger.resume(remote), 'next');
    this.observer.controlChanged();
  }

  /** Pauses or resumes one transfer. */
  pauseTransfer(id: string): boolean {
    if (!this.ledger.pauseOne(id)) return false;
    this.scheduleRecheck();
    this.observer.changed(id);
    return true;
  }

  resumeTransfer(id: string): boolean {
    return (
      this.requeue(
        this.ledger.unpark((p) => p.item.id === id),
        'next',
      ) > 0
    );
  }

  /** Cancels matching transfers: an id, a key, or every transfer of a remote. */
  cancel(target: string): number {
    const matches = (i: QueueItem): boolean =>
      i.id === target || i.key === target || i.remote === target;
    let n = this.ledger.stopRunning(matches, 'cancelled');
    for (const id of this.ledger.cancelWaiting(matches)) {
      this.observer.changed(id);
      n++;
    }
    this.pump();
    return n;
  }

  setRateLimit(bytesPerSecond: number, remote?: string): void {
    this.limits.set(bytesPerSecond, remote);
    this.observer.controlChanged();
  }

  controlState(): TransferControlState {
    return {
      isPaused: this.ledger.isPaused,
      pausedRemotes: [...this.ledger.pausedRemotes],
      rateLimit: this.limits.overall,
      remoteRateLimits: this.limits.perRemote(),
    };
  }

  /** Everything: running, queued (up to `limit`), waiting, paused, failed, recently done, and transfers of other processes. */
  snapshot(limit = 1000): TransferSnapshot[] {
    const repository = this.repo.uuid;
    return this.observer.snapshot(limit).map((t) => ({ ...t, repository }));
  }

  /** `remote` is back (a drive plugged in): what waited for it goes first. */
  reconnect(remote: string): number {
    const back = this.ledger.unpark(
      (p) => p.item.remote === remote && !p.item.via && p.state === 'waiting',
    );
    return this.requeue(back, 'next');
  }

  /**
   * Records that this repository holds `key` (a paired device stored it here): written with
   * the next batch of location logs, pushed after it. Stamped now, so a drop recorded before
   * the batch is written stays the newer change.
   */
  recordHeld(key: string): void {
    void this.presence.add(this.branch, key, this.repo.uuid);
  }

  /** Transfers with `remote` that failed and wait for a retry. */
  failedWith(remote: string): number {
    return this.ledger.failedWith(remote);
  }

  /** Resolves when nothing is left to move between here and `remote` (failures aside). */
  async whenRemoteIdle(remote: string): Promise<void> {
    await this.waiters.whenRemoteIdle(remote, this.isRemoteBusy(remote));
    // what moved is in the location logs too (a drive is safe to unplug with its logs written)
    await this.presence.flush();
  }

  /**
   * Reads remotes again and scans, in the background, each one added (or whose UUID was learnt)
   * since the full scan: what is here and it wants goes to it, what it has and this repository
   * wants comes here. Before the full scan has run, that scan covers them.
   */
  async refreshAndScanNew(onError: (e: unknown) => void): Promise<void> {
    await this.refresh();
    const scanned = this.scanned;
    if (!scanned) return;
    for (const r of [...this.ends.remotes.values()]) {
      if (!r.uuid || scanned.has(remoteTag(r))) continue;
      scanned.add(remoteTag(r));
      void this.scanRemote(r.name).catch(onError);
    }
  }

  /**
   * Everything this repository and `remote` should exchange (uploads it wants, downloads we
   * want from it), queued ahead of other work: a drive just plugged in goes first.
   */
  async scanRemote(remote: string, signal?: AbortSignal): Promise<number> {
    const info = this.ends.remotes.get(remote);
    if (!info?.uuid) return 0;
    let n = 0;
    for await (const item of remoteScanItems(this.planning, info, signal)) {
      if (this.isStopped) break;
      if (this.enqueue(item, 'next')) {
        n++;
        if (n === 1) this.pump(); // the first byte should not wait for the whole scan
      }
    }
    this.pump();
    return n;
  }

  /**
   * A drive holding `remote` went away: its running transfers stop with their partial data
   * kept, and everything for it waits until it is back.
   */
  disconnect(remote: string): number {
    const n = this.ledger.stopRunning((i) => i.remote === remote && !i.via, 'offline');
    this.pump();
    return n;
  }

  /** Starts telling what other processes' transfers do (the engine's folders; see observe.ts). */
  watchExternal(everyMs?: number): void {
    this.observer.watchExternal(everyMs);
  }

  async stop(): Promise<void> {
    this.isStopped = true;
    this.ledger.stopRunning(() => true, 'paused');
    this.observer.stop();
    if (this.recheckTimer) clearTimeout(this.recheckTimer);
    this.waiters.wakeRoom();
    // Running transfers were told to stop; a stuck file system must not hold up quitting.
    const deadline = Date.now() + 10_000;
    while (this.ledger.running.size > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    if (this.ledger.running.size > 0)
      this.options.log?.(
        `${this.ledger.running.size} transfer(s) did not stop within 10 s; their partial copies are kept`,
      );
    // what finished is recorded before the process goes
    await this.presence.flush().catch((e: unknown) => {
      this.options.log?.(`the last transfers' location logs could not be written: ${String(e)}`);
    });
  }
}
