/**
 * What the transferrer tells the world: a `transfer-changed` event with the snapshot of a
 * transfer whenever its state changes, progress batches four times a second while anything
 * runs, and the full listing (this process's transfers and those other processes, git-annex
 * among them, have claimed in the annex).
 */
import type { TransferEvent, TransferSnapshot } from '../../shared/transfers';
import type { Repository } from '../annex/repository';
import { externalSnapshot, listRunningTransfers } from '../annex/transfer-info';
import type { Endpoints } from './endpoints';
import type { TransferLedger } from './ledger';
import { sampleProgress } from './progress';
import { transferId, type QueueItem } from './queue';

export class TransferObserver {
  private progressTimer: NodeJS.Timeout | undefined;

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

  stop(): void {
    clearInterval(this.progressTimer);
    this.progressTimer = undefined;
  }
}
