/**
 * Content that arrived for `file` (fetched here, or stored by another repository: a local
 * clone's copy, a Ferry device's or an ssh client's PUT) goes into the work tree when that file
 * is unlocked and still holds only its pointer. The name comes from the sender: only a plain
 * relative path inside the work tree is looked at, and only when the index says it is that key.
 * Arrivals asked for while a batch is being written join the next one: one read of the index,
 * one hold of the repository lock and one write of the index for all of them (a burst of 1,000
 * small files wrote the index 1,000 times).
 */
import { lstat } from 'node:fs/promises';
import { isAbsolute, join, normalize } from 'node:path';
import { populateUnlocked } from './content';
import { MAX_POINTER_BYTES } from './paths';
import type { Repository } from './repository';
import { annexedFiles } from './worktree';
import { span } from '../trace';

interface Arrival {
  readonly key: string;
  readonly rel: string;
  /** the content already written beside the file as it arrived */
  readonly prepared?: string;
  readonly settle: (e?: Error) => void;
}

class ArrivalQueue {
  private queue: Arrival[] = [];
  private draining = false;

  constructor(
    private readonly repo: Repository,
    private readonly onIdle: () => void,
  ) {}

  add(a: Arrival): void {
    this.queue.push(a);
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      await new Promise((r) => setImmediate(r));
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0);
        const ended = span('populate-arrived', String(batch.length));
        try {
          await this.populate(batch);
          for (const a of batch) a.settle();
        } catch (e) {
          const error = e instanceof Error ? e : new Error(String(e));
          for (const a of batch) a.settle(error);
        } finally {
          ended();
        }
      }
    } finally {
      this.draining = false;
      this.onIdle();
    }
  }

  private async populate(batch: readonly Arrival[]): Promise<void> {
    const wanted = new Map<string, string>();
    const prepared = new Map<string, string>();
    for (const a of batch) {
      wanted.set(a.rel, a.key);
      if (a.prepared !== undefined) prepared.set(a.rel, a.prepared);
    }
    const files = await annexedFiles(
      this.repo,
      [...wanted.keys()].map((rel) => `${this.repo.top}/${rel}`),
    );
    await populateUnlocked(
      this.repo,
      files.filter((f) => wanted.get(f.path) === f.key),
      prepared,
    );
  }
}

const queues = new Map<string, ArrivalQueue>();

/**
 * Fills `file` with `key`'s content when it is an unlocked file still holding the pointer;
 * `prepared` is a copy already written beside it (moved into place instead of copying the
 * object). The caller removes `prepared` afterwards if it is still there.
 */
export async function populateArrived(
  repo: Repository,
  key: string,
  file: string,
  prepared?: string,
): Promise<void> {
  if (repo.isBare || file === '' || isAbsolute(file)) return;
  const rel = normalize(file);
  if (rel.startsWith('..') || rel.split('/').includes('.git')) return;
  // only an unlocked file still holding its pointer gets the bytes: look before reading the index
  const st = await lstat(join(repo.top, rel)).catch(() => undefined);
  if (!st?.isFile() || st.size > MAX_POINTER_BYTES) return;
  const id = repo.gitdir;
  let q = queues.get(id);
  if (!q) {
    const made = new ArrivalQueue(repo, () => {
      if (queues.get(id) === made) queues.delete(id);
    });
    queues.set(id, (q = made));
  }
  const queue = q;
  return new Promise<void>((resolve, reject) =>
    queue.add({ key, rel, prepared, settle: (e) => (e === undefined ? resolve() : reject(e)) }),
  );
}
