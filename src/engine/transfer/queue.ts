/**
 * The transfer queue: "next" items (new files, user actions) go to the front, "later" items
 * (scans, retries, onward uploads) to the back; an item already queued or running is never
 * added twice. Pure data: the transferrer decides what may start.
 */
import type { TransferDirection } from '../../shared/transfers';

export type Priority = 'next' | 'later';

export interface QueueItem {
  readonly id: string;
  readonly direction: TransferDirection;
  readonly key: string;
  readonly file: string;
  readonly remote: string;
  readonly remoteUuid: string;
  readonly queuedAt: number;
  /** a forward on the route: sent from this other local repository (then `remote` is a remote name in its config) */
  readonly via?: ForwardSource;
  /** names of the repositories the planned route continues to after this transfer */
  readonly nextHops?: readonly string[];
}

export interface ForwardSource {
  readonly uuid: string;
  readonly description: string;
  /** the sending repository's path */
  readonly top: string;
  /** the receiving repository's path, to know whether the link is up */
  readonly targetPath: string;
}

export function transferId(direction: TransferDirection, remoteUuid: string, key: string): string {
  return `${direction === 'upload' ? 'up' : 'down'}:${remoteUuid}:${key}`;
}

export class TransferQueue {
  private readonly front: QueueItem[] = [];
  private readonly back: QueueItem[] = [];
  private readonly ids = new Set<string>();
  /** queued forwards (items with `via`) */
  private forwards = 0;

  get size(): number {
    return this.ids.size;
  }

  /** Whether any forward is queued (the pump looks for stranded ones only then). */
  get hasForwards(): boolean {
    return this.forwards > 0;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Adds an item unless its id is already queued. Returns whether it was added. */
  add(item: QueueItem, priority: Priority): boolean {
    if (this.ids.has(item.id)) return false;
    this.ids.add(item.id);
    if (item.via) this.forwards++;
    if (priority === 'next') this.front.unshift(item);
    else this.back.push(item);
    return true;
  }

  /** Removes and returns the first item `canStart` accepts, in queue order. */
  take(canStart: (item: QueueItem) => boolean): QueueItem | undefined {
    for (const list of [this.front, this.back]) {
      const i = list.findIndex(canStart);
      if (i >= 0) {
        const [item] = list.splice(i, 1);
        if (item) {
          this.ids.delete(item.id);
          if (item.via) this.forwards--;
        }
        return item;
      }
    }
    return undefined;
  }

  remove(id: string): QueueItem | undefined {
    return this.take((item) => item.id === id);
  }

  removeWhere(predicate: (item: QueueItem) => boolean): QueueItem[] {
    const out: QueueItem[] = [];
    for (;;) {
      const item = this.take(predicate);
      if (!item) return out;
      out.push(item);
    }
  }

  items(limit = Infinity): QueueItem[] {
    return [...this.front, ...this.back].slice(0, limit);
  }
}

/** Retry delay after `attempts` failures: 10 s doubling to at most 30 min. */
export function retryDelayMs(attempts: number): number {
  return Math.min(30 * 60_000, 10_000 * 2 ** Math.max(0, attempts - 1));
}
