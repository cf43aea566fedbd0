/**
 * What happened, kept for the window's activity list: repeats folded into one entry ("sent
 * changes to backup, usb ×3": the remotes of one push round joined, the same line again counted),
 * and each folder's entries kept on disk (`.git/annex/ferry/activity.json`, its newest 300), so
 * the history survives a restart.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ActivityEntry } from '../shared/ipc';

const KEPT = 300;
/** entries closer than this fold together */
const FOLD_MS = 10 * 60_000;
const SENT = /^sent changes to (.+)$/;
/** how many file names an entry keeps */
const FILES = 5;

function joinFiles(a: ActivityEntry, b: NewEntry): { files?: readonly string[] } {
  if (!a.files && !b.files) return {};
  return { files: [...new Set([...(a.files ?? []), ...(b.files ?? [])])].slice(0, FILES) };
}

export type NewEntry = Omit<ActivityEntry, 'at' | 'id' | 'count'>;

/** The folded entry when `next` repeats `last`, else undefined. */
export function fold(
  last: ActivityEntry | undefined,
  next: NewEntry,
  at: number,
): ActivityEntry | undefined {
  if (
    !last ||
    last.repository !== next.repository ||
    last.kind !== next.kind ||
    at - last.at > FOLD_MS
  )
    return undefined;
  if (last.text === next.text) {
    // merges in a row are one batch: undone together, back to before the first
    const undo =
      last.undo && next.undo ? { before: last.undo.before, after: next.undo.after } : undefined;
    return {
      ...last,
      at,
      count: (last.count ?? 1) + 1,
      ...joinFiles(last, next),
      ...(undo ? { undo } : {}),
    };
  }
  const a = SENT.exec(last.text);
  const b = SENT.exec(next.text);
  if (!a || !b || (last.count ?? 1) > 1) return undefined;
  const names = [...new Set([...(a[1] ?? '').split(', '), b[1] ?? ''])];
  return { ...last, at, text: `sent changes to ${names.join(', ')}` };
}

export class ActivityHistory {
  private readonly entries: ActivityEntry[] = [];
  private nextId = 1;
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  /** `gitdirOf`: where a folder's history lives (by repository UUID), when Ferry syncs it. */
  constructor(private readonly gitdirOf: (repository: string) => string | undefined) {}

  all(): readonly ActivityEntry[] {
    return this.entries;
  }

  /** When this folder last sent changes to `remote` (from its history, so also after a restart). */
  lastSent(repository: string, remote: string): number | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i];
      if (e?.repository !== repository || e.kind !== 'sync') continue;
      const names = SENT.exec(e.text)?.[1]?.split(', ');
      if (names?.includes(remote)) return e.at;
    }
    return undefined;
  }

  /** The entry `id` of folder `repository`, if it is still kept. */
  find(repository: string, id: number): ActivityEntry | undefined {
    return this.entries.find((e) => e.id === id && e.repository === repository);
  }

  /** Adds an entry (or folds it into the last of its folder); returns it as it is now. */
  add(entry: NewEntry): ActivityEntry {
    const at = Date.now();
    const mine = this.entries.findLastIndex((e) => e.repository === entry.repository);
    const folded = mine >= 0 ? fold(this.entries[mine], entry, at) : undefined;
    let out: ActivityEntry;
    if (folded && mine === this.entries.length - 1) {
      this.entries[mine] = folded;
      out = folded;
    } else {
      out = { ...entry, at, id: this.nextId++ };
      this.entries.push(out);
      if (this.entries.length > KEPT * 4) this.entries.splice(0, this.entries.length - KEPT * 4);
    }
    if (entry.repository) this.saveSoon(entry.repository);
    return out;
  }

  /** Brings back a folder's saved history (at start). */
  load(repository: string): void {
    const file = this.fileOf(repository);
    if (!file) return;
    let saved: ActivityEntry[];
    try {
      saved = JSON.parse(readFileSync(file, 'utf8')) as ActivityEntry[];
    } catch {
      return; // none yet, or unreadable: a history starts again
    }
    const known = new Set(this.entries.map((e) => `${e.repository}\0${e.at}\0${e.text}`));
    for (const e of saved) {
      if (typeof e.at !== 'number' || typeof e.text !== 'string') continue;
      if (known.has(`${repository}\0${e.at}\0${e.text}`)) continue;
      this.entries.push({ ...e, repository, id: this.nextId++ });
    }
    this.entries.sort((x, y) => x.at - y.at);
  }

  private fileOf(repository: string): string | undefined {
    const gitdir = this.gitdirOf(repository);
    return gitdir ? join(gitdir, 'annex', 'ferry', 'activity.json') : undefined;
  }

  private saveSoon(repository: string): void {
    this.dirty.add(repository);
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), 1000);
    this.timer.unref();
  }

  /** Writes the folders whose history changed (temp file, then rename). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const repository of this.dirty) {
      const file = this.fileOf(repository);
      if (!file) continue;
      const mine = this.entries.filter((e) => e.repository === repository).slice(-KEPT);
      try {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(`${file}.tmp`, JSON.stringify(mine));
        renameSync(`${file}.tmp`, file);
      } catch {
        // a folder gone meanwhile: its history goes with it
      }
    }
    this.dirty.clear();
  }
}
