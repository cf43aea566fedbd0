/**
 * What the transferrer tells the world: a `transfer-changed` event with the snapshot of a
 * transfer whenever its state changes, progress batches four times a second while anything
 * runs, and the full listing (this process's transfers and those other processes, git-annex
 * among them, have claimed in the annex). Other processes' transfers are looked at every few
 * seconds (a directory listing while there are none): each one seen, or moved on, is a
 * `transfer-changed`, and one that ended is a `transfer-gone`.
 */
import type { TransferEvent, TransferSnapshot } from '../../shared/transfers';
import type { Repository } from '../annex/repository';
import { externalSnapshot, listRunningTransfers } from '../annex/transfer-info';
import type { Endpoints } from './endpoints';
import type { TransferLedger } from './ledger';
import { sampleProgress } from './progress';
import { transferId, type QueueItem } from './queue';

/** how often other processes' transfers are looked at */
export const EXTERNAL_POLL_MS = 3000;

export class TransferObserver {
  private progressTimer: NodeJS.Timeout | undefined;
  private externalTimer: NodeJS.Timeout | undefined;
  /** other processes' transfers last seen, by id: their bytes then */
  private readonly external = new Map<string, number>();

  constructor(
    private readonly repo: Repository,
    private readonly ledger: TransferLedger,
    private readonly ends: Endpoints,
    private readonly events?: (e: TransferEvent) => void,
  ) {}

  private readonly isUp = (item: QueueItem): boolean => this.ends.itemAvailable(item);

  /** Everything: running, queued (up to `limit`), waiting, paused, failed, recently done, and transfers of other processes. */
  snapshot(limit: number): TransferSnapshot[] {
    const out = this.ledger.snapshot(limit, this.isUp);
    for (const t of listRunningTransfers(this.repo.annexdir)) {
      const id = transferId(t.direction, t.uuid, t.key);
      if (this.ledger.running.has(id)) continue;
      out.push(externalSnapshot(t, 'running', this.ends.nameOf(t.uuid)));
    }
    return out;
  }

  changed(id: string): void {
    if (!this.events) return;
    const s = this.ledger.snapshotOf(id, this.isUp);
    if (s) this.events({ type: 'transfer-changed', transfer: s, at: Date.now() });
  }

  /** After a pause, resume or new limit: what runs and the head of the queue, again. */
  controlChanged(): void {
    const ids = [...this.ledger.running.keys(), ...this.ledger.queue.items(50).map((i) => i.id)];
    for (const id of ids) this.changed(id);
  }

  /** Starts the progress batches (a no-op while they run); they stop when nothing runs. */
  startProgress(): void {
    if (this.progressTimer) return;
    this.progressTimer = setInterval(() => {
      if (this.ledger.running.size === 0) {
        this.stop();
        return;
      }
      const now = Date.now();
      const progress = sampleProgress(this.ledger.running.values(), now);
      this.events?.({ type: 'transfers-progressed', progress, at: now });
    }, 250);
  }

  /** Starts looking at other processes' transfers (a no-op without listeners, or when it runs). */
  watchExternal(everyMs = EXTERNAL_POLL_MS): void {
    if (!this.events || this.externalTimer) return;
    this.externalTimer = setInterval(() => this.pollExternal(), everyMs);
    this.externalTimer.unref();
  }

  /** Tells what other processes' transfers did since the last look. */
  pollExternal(): void {
    const events = this.events;
    if (!events) return;
    const at = Date.now();
    const seen = new Set<string>();
    for (const t of listRunningTransfers(this.repo.annexdir)) {
      if (this.ledger.running.has(transferId(t.direction, t.uuid, t.key))) continue;
      const s = externalSnapshot(t, 'running', this.ends.nameOf(t.uuid));
      seen.add(s.id);
      if (this.external.get(s.id) === s.bytesDone) continue;
      this.external.set(s.id, s.bytesDone);
      events({ type: 'transfer-changed', transfer: s, at });
    }
    for (const id of [...this.external.keys()]) {
      if (seen.has(id)) continue;
      this.external.delete(id);
      events({ type: 'transfer-gone', id, at });
    }
  }

  stop(): void {
    clearInterval(this.progressTimer);
    this.progressTimer = undefined;
    clearInterval(this.externalTimer);
    this.externalTimer = undefined;
  }
}
