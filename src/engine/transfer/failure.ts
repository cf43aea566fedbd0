/**
 * What becomes of a transfer that stopped without finishing, as data: parked (paused, or
 * waiting for its remote with the partial copy kept), cancelled (and routed around a link on
 * its route that went down), or failed (retried after a backoff, from another source first when
 * the remote's copy was corrupt).
 */
import { errorMessage } from '../../shared/errors';
import { isFerryError } from '../errors';
import type { Running } from './progress';

export type FailureDecision =
  | {
      /** held until resumed, or until the remote is back; the partial copy is kept */
      readonly kind: 'park';
      readonly state: 'paused' | 'waiting';
      readonly reason: string;
    }
  /** a failed attempt: retried after a backoff that grows with the attempts */
  | { readonly kind: 'failed'; readonly reason: string; readonly tryOtherSource: boolean }
  | { readonly kind: 'cancelled'; readonly reroute: boolean };

export interface FailureFacts {
  /** whether the transfer's link is up now */
  readonly isLinkUp: boolean;
  /** why the remote cannot be used now, for messages */
  readonly offlineMessage: string;
}

export function decideFailure(run: Running, e: unknown, facts: FailureFacts): FailureDecision {
  const { item } = run;
  if (run.stopReason === 'paused') return { kind: 'park', state: 'paused', reason: 'paused' };
  if (run.stopReason === 'offline')
    return {
      kind: 'park',
      state: 'waiting',
      reason: `${item.remote} was removed; the partial copy is kept and the transfer resumes when it is back`,
    };
  if (run.stopReason === 'cancelled') return { kind: 'cancelled', reroute: false };
  // A link on the route went down: plan again around it.
  if (item.via && !facts.isLinkUp) return { kind: 'cancelled', reroute: true };
  if (!item.via && !facts.isLinkUp)
    return {
      kind: 'park',
      state: 'waiting',
      reason: `${item.remote} is offline (${facts.offlineMessage}); the partial copy is kept`,
    };
  return {
    kind: 'failed',
    reason: errorMessage(e),
    // a corrupt copy on the remote: another remote may have a good one
    tryOtherSource: item.direction === 'download' && isFerryError(e, 'checksum-mismatch'),
  };
}
