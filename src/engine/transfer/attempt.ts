/**
 * One attempt of a queued transfer, from finding its two ends to what should happen next,
 * returned as data for the transferrer to apply:
 *   - `done`: the content arrived (or was already there); `then` says where it goes on
 *     (the route's next hops, or a flood to the other remotes) and whether the logs changed;
 *   - `held`: someone else is moving it, or its ends cannot be opened now: retry shortly;
 *   - a `FailureDecision` (see failure.ts): parked, cancelled or failed.
 */
import type { AnnexBranch } from '../annex/branch';
import type { PresenceBulk } from '../annex/presence-bulk';
import { errorMessage } from '../../shared/errors';
import { isFerryError } from '../errors';
import { decideFailure, type FailureDecision } from './failure';
import type { Endpoints } from './endpoints';
import type { Running } from './progress';
import type { RateLimits } from './rate-limit';
import { runTransfer, type TransferOutcome } from './runner';
import { isSending } from '../annex/recent-holders';
import { isStoringHere } from '../annex/storing-here';

export type AttemptResult =
  | {
      readonly kind: 'done';
      /** content moved now (not already there): counted in the totals */
      readonly moved: boolean;
      /** bytes this attempt copied (its resumed part aside), and the link's cost */
      readonly copied: number;
      readonly cost: number;
      readonly logsChanged: boolean;
      /** what to queue for the key next: its route's next hops, a flood from here, or nothing */
      readonly then: 'route' | 'flood' | 'none';
    }
  | { readonly kind: 'held'; readonly reason: string }
  | { readonly kind: 'gone' }
  | FailureDecision;

/** how long a download waits for a sender that is storing content here */
export const HOLD_FOR_SENDER_MS = 30_000;

export interface AttemptContext {
  readonly ends: Endpoints;
  /** this repository's git-annex branch (it learns of forwards too) */
  readonly branch: AnnexBranch;
  readonly limits: RateLimits;
  readonly routing: 'route' | 'flood';
  /** this repository's annex directory (what is arriving in it) */
  readonly annexdir: string;
  /** where the location logs of finished transfers go, in batches */
  readonly presence?: PresenceBulk;
  /** work a finished transfer leaves to finish in the background (see runner.ts) */
  readonly later?: (work: Promise<unknown>) => void;
}

export async function attemptTransfer(run: Running, ctx: AttemptContext): Promise<AttemptResult> {
  const { item } = run;
  const failed = (e: unknown): FailureDecision =>
    decideFailure(run, e, {
      isLinkUp: ctx.ends.itemAvailable(item),
      offlineMessage: ctx.ends.offlineMessage(item.remote),
    });
  // a device storing a burst here sends this one too, most likely: no fetch of it meanwhile
  // (held a little, never for long: what it does not send is fetched soon after)
  if (
    item.direction === 'download' &&
    !item.via &&
    Date.now() - item.queuedAt < HOLD_FOR_SENDER_MS &&
    (isSending(ctx.annexdir, item.remoteUuid) || isStoringHere(ctx.annexdir, item.remoteUuid))
  )
    return { kind: 'held', reason: `${item.remote} is sending content here now` };
  let ends: Awaited<ReturnType<Endpoints['ends']>>;
  try {
    ends = await ctx.ends.ends(item);
  } catch (e) {
    return item.via ? failed(e) : { kind: 'held', reason: errorMessage(e) };
  }
  if (!ends) return { kind: 'gone' };
  let outcome: TransferOutcome;
  try {
    outcome = await runTransfer({
      ours: ends.ours,
      ourBranch: item.via ? ends.ourBranch : ctx.branch,
      remote: ends.remote,
      direction: item.direction,
      key: item.key,
      file: item.file,
      signal: run.abort.signal,
      throttle: ctx.limits.throttle(item.remote, run.abort.signal),
      onProgress: (n) => {
        run.resumedFrom ??= n;
        run.bytesDone = n;
      },
      alsoRecordIn: item.via ? [ctx.branch] : [],
      commitOurs: item.via !== undefined,
      isFailure: () => run.stopReason === undefined,
      presence: ctx.presence,
      later: ctx.later,
    });
  } catch (e) {
    // the other side is moving this key already (its own download of it, say): look again soon
    if (isFerryError(e, 'lock-busy') && run.stopReason === undefined && !item.via)
      return { kind: 'held', reason: errorMessage(e) };
    return failed(e);
  }
  if (outcome.kind === 'waiting') {
    // Held up by someone else: wait and retry, unless the link is down, then route around it.
    if (item.via && !ctx.ends.itemAvailable(item)) return failed(new Error(outcome.reason));
    return { kind: 'held', reason: outcome.reason };
  }
  const moved = outcome.kind === 'done';
  const isUpload = item.direction === 'upload';
  return {
    kind: 'done',
    moved,
    copied: moved ? run.bytesDone - (run.resumedFrom ?? 0) : 0,
    cost: ends.remote.cost,
    logsChanged: moved || (isUpload && outcome.kind === 'already-there'),
    // Uploads: the next hops leave from the repository that just received it. Downloads: the
    // other remotes that want it get it from here.
    then: isUpload ? (ctx.routing === 'route' ? 'route' : 'none') : moved ? 'flood' : 'none',
  };
}
