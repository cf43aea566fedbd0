/**
 * Phase tracing for finding where a sync's time goes: `span('commit')` returns the function
 * that ends it. With `FERRY_TRACE=<file>` set, each ended span is appended to that file as one
 * JSON line `{"p":phase,"t":startEpochMs,"ms":duration,"d":detail}` (written in batches, in the
 * background, and at exit); without it a span costs one branch. `npm run bench` reads these
 * files to report the breakdown per phase (bench/trace-summary.ts).
 */
import { appendFile, appendFileSync } from 'node:fs';

export interface SpanRecord {
  /** the phase: watch, commit, push, pull, merge, worktree, transfer, ... */
  readonly p: string;
  /** when it started (ms since the epoch, fractional) */
  readonly t: number;
  /** how long it took (ms) */
  readonly ms: number;
  /** what it was about (a remote, a count), never a secret */
  readonly d?: string;
}

const target = process.env.FERRY_TRACE || undefined;
let buffered: string[] = [];
let flushTimer: NodeJS.Timeout | undefined;

const now = (): number => performance.timeOrigin + performance.now();

function flush(): void {
  flushTimer = undefined;
  if (!target || buffered.length === 0) return;
  const text = buffered.join('');
  buffered = [];
  appendFile(target, text, () => undefined);
}

if (target) {
  process.once('exit', () => {
    if (buffered.length > 0) appendFileSync(target, buffered.join(''));
    buffered = [];
  });
}

/** Whether spans are recorded (FERRY_TRACE is set). */
export const isTracing = target !== undefined;

function record(r: SpanRecord): void {
  buffered.push(`${JSON.stringify(r)}\n`);
  flushTimer ??= setTimeout(flush, 200).unref();
}

const noop = (): void => undefined;

/** Starts a span; call what it returns when the phase ends (a detail may be added then). */
export function span(phase: string, detail?: string): (more?: string) => void {
  if (!target) return noop;
  const t = now();
  return (more) => {
    const d = more === undefined ? detail : detail === undefined ? more : `${detail} ${more}`;
    record({ p: phase, t, ms: now() - t, ...(d === undefined ? {} : { d }) });
  };
}

/** Runs `fn` as one span of `phase`. */
export async function traced<T>(phase: string, fn: () => Promise<T>, detail?: string): Promise<T> {
  const end = span(phase, detail);
  try {
    return await fn();
  } finally {
    end();
  }
}

/** A moment worth marking (a notice sent or heard, a watcher event): a span of no length. */
export function mark(phase: string, detail?: string): void {
  if (target) record({ p: phase, t: now(), ms: 0, ...(detail === undefined ? {} : { d: detail }) });
}
