/**
 * Progress of the transfers, as data: the snapshot of a transfer in each state (running with
 * its rate and time left, parked with its reason and retry, finished with its figures), and the
 * throttled progress batches (rates smoothed per sample). The state types the transferrer keeps
 * live here too.
 */
import { keySize } from '../annex/key';
import type { TransferSnapshot, TransferState } from '../../shared/transfers';
import type { QueueItem } from './queue';

export interface Running {
  readonly item: QueueItem;
  readonly abort: AbortController;
  readonly startedAt: number;
  bytesDone: number;
  /** the partial copy it continued from (bytes), once known */
  resumedFrom?: number;
  size: number | undefined;
  rate: number;
  lastSample: { at: number; bytes: number };
  stopReason?: 'paused' | 'cancelled' | 'offline';
  /** runs once the transfer has left `running` */
  after?: () => Promise<unknown>;
}

export interface Parked {
  readonly item: QueueItem;
  readonly state: 'failed' | 'waiting' | 'paused';
  readonly reason: string;
  readonly attempts: number;
  readonly retryAt: number | null;
  /** bytes moved before it stopped (its partial copy is kept, so it goes on from about here) */
  readonly bytesDone?: number;
}

export interface Finished {
  readonly item: QueueItem;
  readonly state: 'done' | 'cancelled';
  readonly bytes: number;
  readonly resumedFrom: number;
  readonly startedAt: number | null;
  readonly finishedAt: number;
  readonly attempts: number;
}

/** A transfer just started: nothing moved yet. */
export function newRun(item: QueueItem): Running {
  const now = Date.now();
  return {
    item,
    abort: new AbortController(),
    startedAt: now,
    bytesDone: 0,
    size: keySize(item.key),
    rate: 0,
    lastSample: { at: now, bytes: 0 },
  };
}

/** The record of a transfer cancelled before it ran (from the queue or while parked). */
export function cancelledRecord(item: QueueItem, attempts: number): Finished {
  return {
    item,
    state: 'cancelled',
    bytes: 0,
    resumedFrom: 0,
    startedAt: null,
    finishedAt: Date.now(),
    attempts,
  };
}

/** A transfer's snapshot with nothing yet known beyond its item and state. */
export function baseSnapshot(
  item: QueueItem,
  state: TransferState,
  attempts: number,
): TransferSnapshot {
  return {
    id: item.id,
    direction: item.direction,
    key: item.key,
    file: item.file,
    remote: item.remote,
    remoteUuid: item.remoteUuid,
    state,
    bytesDone: 0,
    size: keySize(item.key) ?? null,
    rate: 0,
    etaSeconds: null,
    reason: null,
    nextRetryAt: null,
    attempts,
    queuedAt: item.queuedAt,
    startedAt: null,
    finishedAt: null,
    isExternal: false,
    via: item.via?.description ?? null,
    resumedFrom: 0,
    nextHops: item.nextHops ?? [],
  };
}

function etaOf(r: Running): number | null {
  return r.size !== undefined && r.rate > 0 ? Math.round((r.size - r.bytesDone) / r.rate) : null;
}

export function runningSnapshot(r: Running, attempts: number): TransferSnapshot {
  return {
    ...baseSnapshot(r.item, 'running', attempts),
    bytesDone: r.bytesDone,
    resumedFrom: r.resumedFrom ?? 0,
    rate: Math.round(r.rate),
    etaSeconds: etaOf(r),
    startedAt: r.startedAt,
  };
}

export function parkedSnapshot(p: Parked): TransferSnapshot {
  return {
    ...baseSnapshot(p.item, p.state, p.attempts),
    reason: p.reason,
    nextRetryAt: p.retryAt,
    attempts: p.attempts,
    bytesDone: p.bytesDone ?? 0,
  };
}

export function finishedSnapshot(f: Finished): TransferSnapshot {
  return {
    ...baseSnapshot(f.item, f.state, f.attempts),
    bytesDone: f.bytes,
    resumedFrom: f.resumedFrom,
    startedAt: f.startedAt,
    finishedAt: f.finishedAt,
    attempts: f.attempts,
  };
}

export interface ProgressEntry {
  readonly id: string;
  readonly bytesDone: number;
  readonly rate: number;
  readonly etaSeconds: number | null;
}

/** One progress batch at `now`: each running transfer's rate sampled and smoothed. */
export function sampleProgress(running: Iterable<Running>, now: number): ProgressEntry[] {
  const out: ProgressEntry[] = [];
  for (const r of running) {
    const dt = (now - r.lastSample.at) / 1000;
    // a sample weighs a third (the first one whole), so a burst the limit lets through, or a
    // pause of the disk, moves the figure a little rather than making it jump
    const sample = dt > 0 ? (r.bytesDone - r.lastSample.bytes) / dt : undefined;
    if (sample !== undefined) r.rate = r.rate === 0 ? sample : 0.35 * sample + 0.65 * r.rate;
    r.lastSample = { at: now, bytes: r.bytesDone };
    out.push({
      id: r.item.id,
      bytesDone: r.bytesDone,
      rate: Math.round(r.rate),
      etaSeconds: etaOf(r),
    });
  }
  return out;
}
