/**
 * Location-log changes of a command that moves many files (`ferry copy`, `ferry get`), gathered
 * and written straight to the branches in batches: one commit per batch instead of a journal
 * file per file on each side. A copy of 1,000 small files wrote 2,000 journal files, each a new
 * file on a slow disk. A change is only gathered once its content was verified and made durable
 * where it went, so a command stopped before a batch is written leaves logs that say less than
 * is true (the next copy finds the content there and records it), never more.
 */
import type { AnnexBranch } from './branch';
import { addPresence } from './logs';
import { locationLogPath } from './paths';
import { nowTimestamp } from './timestamp';
import { span } from '../trace';

export class PresenceBulk {
  private pending = new Map<AnnexBranch, Map<string, Set<string>>>();
  private count = 0;
  private writing: Promise<void> = Promise.resolve();

  /** `every`: how many changes make a batch. */
  constructor(private readonly every = 500) {}

  /** Notes that `uuid` holds `key`, in `branch`; resolves once written when it filled a batch. */
  add(branch: AnnexBranch, key: string, uuid: string): Promise<void> {
    let keys = this.pending.get(branch);
    if (!keys) this.pending.set(branch, (keys = new Map<string, Set<string>>()));
    let uuids = keys.get(key);
    if (!uuids) keys.set(key, (uuids = new Set<string>()));
    if (!uuids.has(uuid)) {
      uuids.add(uuid);
      this.count++;
    }
    return this.count >= this.every ? this.flush() : Promise.resolve();
  }

  /** Writes what was gathered; batches are written one after the other, in order. */
  flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    this.count = 0;
    this.writing = this.writing.then(() => write(batch));
    return this.writing;
  }
}

async function write(batch: ReadonlyMap<AnnexBranch, ReadonlyMap<string, Set<string>>>) {
  if (batch.size === 0) return;
  const ended = span('presence-bulk', String(batch.size));
  try {
    for (const [branch, keys] of batch) {
      const now = nowTimestamp();
      const changes = new Map<string, (old: string) => string | undefined>();
      for (const [key, uuids] of keys)
        changes.set(locationLogPath(key), (old) => {
          let text: string | undefined;
          for (const uuid of uuids) text = addPresence(text ?? old, uuid, '1', now) ?? text;
          return text; // undefined: every log already said so
        });
      await branch.changeMany(changes);
    }
  } finally {
    ended();
  }
}
