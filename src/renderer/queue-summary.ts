/**
 * The transfer queue in figures, for people (pure): what is left to move (files, bytes, time
 * at the current rate), per folder and destination; what finished, with a file relayed through
 * several repositories counted once; and the rate shown for a transfer, never above the limit
 * it runs under (a token bucket lets a moment's burst through; the average keeps to the limit).
 * Transfers other programs run are counted apart: they are not ours to pause or to wait for.
 */
import type { RepositoryView } from '../shared/ipc';
import type { TransferControlState, TransferSnapshot } from '../shared/transfers';

export interface Destination {
  /** "laptop → desktop", "desktop → laptop" */
  readonly label: string;
  readonly files: number;
  readonly bytesLeft: number;
}

export interface QueueTotals {
  /** ours, not finished */
  readonly files: number;
  readonly bytesLeft: number;
  /** at the rate of what moves now; null when nothing moves */
  readonly etaSeconds: number | null;
  readonly destinations: readonly Destination[];
  /** run by other programs */
  readonly external: number;
  /** finished: distinct files, and every copy made */
  readonly doneFiles: number;
  readonly doneCopies: number;
}

const isFinished = (t: TransferSnapshot): boolean => t.state === 'done' || t.state === 'cancelled';

/** The limit `t` runs under: its remote's, else the global one (0: none). */
export function limitOf(t: TransferSnapshot, control: TransferControlState): number {
  return control.remoteRateLimits[t.remote] ?? control.rateLimit;
}

export function shownRate(t: TransferSnapshot, control: TransferControlState): number {
  const limit = limitOf(t, control);
  return limit > 0 ? Math.min(t.rate, limit) : t.rate;
}

/** What "here" is for a transfer: its folder's name when there are several folders. */
export function hereOf(t: TransferSnapshot, repositories: readonly RepositoryView[]): string {
  if (repositories.length < 2 || !t.repository) return 'here';
  return repositories.find((r) => r.uuid === t.repository)?.description ?? 'here';
}

/** Where a transfer goes, as the queue groups it: "laptop → usb", "nas → camera". */
export function destinationOf(
  t: TransferSnapshot,
  repositories: readonly RepositoryView[],
): string {
  const here = hereOf(t, repositories);
  return t.direction === 'upload' ? `${t.via ?? here} → ${t.remote}` : `${t.remote} → ${here}`;
}

export function queueTotals(
  transfers: Iterable<TransferSnapshot>,
  control: TransferControlState,
  repositories: readonly RepositoryView[],
): QueueTotals {
  let files = 0;
  let bytesLeft = 0;
  let rate = 0;
  let external = 0;
  let doneCopies = 0;
  const doneKeys = new Set<string>();
  const byDestination = new Map<string, { files: number; bytesLeft: number }>();
  for (const t of transfers) {
    if (t.isExternal) {
      if (!isFinished(t)) external++;
      continue;
    }
    if (t.state === 'done') {
      doneCopies++;
      doneKeys.add(t.key);
      continue;
    }
    if (t.state === 'cancelled') continue;
    const left = Math.max(0, (t.size ?? 0) - t.bytesDone);
    files++;
    bytesLeft += left;
    if (t.state === 'running') rate += shownRate(t, control);
    const label = destinationOf(t, repositories);
    const d = byDestination.get(label) ?? { files: 0, bytesLeft: 0 };
    byDestination.set(label, { files: d.files + 1, bytesLeft: d.bytesLeft + left });
  }
  return {
    files,
    bytesLeft,
    etaSeconds: rate > 0 && files > 0 ? Math.round(bytesLeft / rate) : null,
    destinations: [...byDestination]
      .map(([label, d]) => ({ label, ...d }))
      .sort((a, b) => b.bytesLeft - a.bytesLeft || a.label.localeCompare(b.label)),
    external,
    doneFiles: doneKeys.size,
    doneCopies,
  };
}
