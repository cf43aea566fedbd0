/** The assistant's options and timings (assistant.ts). */
import type { SyncEventListener } from '../../shared/events';
import type { Transferrer } from '../transfer/transferrer';
import type { WatchFn } from './watcher';

export interface AssistantOptions {
  readonly watch: WatchFn;
  readonly events?: SyncEventListener;
  readonly log?: (message: string) => void;
  /** a path must be quiet this long before it is committed (ms) */
  readonly quietMs?: number;
  /** at most this many paths per commit */
  readonly maxBatch?: number;
  /** failed pushes are retried after this long (ms); default `ferry.pushretryinterval` seconds, else 30 min */
  readonly retryIntervalMs?: number;
  /** how often unreachable remotes are looked for (ms) */
  readonly remoteCheckMs?: number;
  /** moves content: uploads for new files, downloads for files that arrive */
  readonly transfers?: Transferrer;
}

/** Ready files are committed after this long even while other files keep changing. */
export const MAX_COMMIT_DELAY_MS = 5000;

/** A commit that failed is tried again after this, doubling up to the maximum while it fails. */
export const FIRST_COMMIT_RETRY_MS = 1000;
export const MAX_COMMIT_RETRY_MS = 60_000;

/**
 * Location logs a transfer changed are pushed once transfers have been quiet this long (a burst
 * of transfers shares a push), and at most `LOGS_PUSH_MAX_DELAY_MS` after the first change.
 */
export const LOGS_PUSH_DELAY_MS = 300;
export const LOGS_PUSH_MAX_DELAY_MS = 2000;
