/**
 * One transfer of one key between a repository of this machine ("ours": this repository, or a
 * repository forwarding it) and a `Remote`, with the one claim order and the one log rule that
 * `ferry get/copy` and the assistant share:
 *   1. already there: nothing moves, and the logs say so;
 *   2. someone else moving it (the remote receiving it, or a transfer bringing it here): wait;
 *   3. our transfer file and lock, then the remote's (git-annex's `transfer/` on both sides);
 *   4. the sending copy locked shared, the bytes moved and verified by the receiving store;
 *   5. the claims finished (recorded as failed only when it failed, not when it was paused);
 *   6. only then the location logs, on the remote's branch and ours, and the remote's unlocked
 *      file gets its content.
 * It returns what happened as data; a failure throws (with its reason) for the caller to retry.
 */
import type { AnnexBranch } from '../annex/branch';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { setPresence, tmpBeside } from '../annex/content';
import type { PresenceBulk } from '../annex/presence-bulk';
import { keySize } from '../annex/key';
import { noteHolder } from '../annex/recent-holders';
import { MAX_POINTER_BYTES, parsePointer } from '../annex/paths';
import { badPath } from '../git/fsck';
import { hasSafeParents } from '../os/safe-path';
import { populateArrived } from '../annex/populate-arrived';
import { FerryError, isFerryError } from '../errors';
import { findObject, lockContent } from '../annex/object-store';
import type { Repository } from '../annex/repository';
import { isKeyInTransfer, TransferClaim, type Direction } from '../annex/transfer-info';
import type { Remote } from '../remotes/remote';
import { span } from '../trace';

export type TransferOutcome =
  | { readonly kind: 'done' }
  | { readonly kind: 'already-there' }
  | { readonly kind: 'waiting'; readonly reason: string };

export interface TransferRequest {
  /** the sending side for uploads, the receiving side for downloads */
  readonly ours: Repository;
  readonly ourBranch: AnnexBranch;
  readonly remote: Remote;
  readonly direction: Direction;
  readonly key: string;
  readonly file: string;
  readonly signal?: AbortSignal;
  readonly throttle?: (bytes: number) => Promise<void>;
  readonly onProgress?: (bytesDone: number) => void;
  /** other branches that learn where the content now is (this repository's, when forwarding) */
  readonly alsoRecordIn?: readonly AnnexBranch[];
  /** whether our branch is committed right away (a forwarding repository's is) */
  readonly commitOurs?: boolean;
  /** whether the remote's branch is committed right away (default; a command commits it once at its end) */
  readonly commitTheirs?: boolean;
  /** false when the transfer stopped on purpose (paused, cancelled): not recorded as failed */
  readonly isFailure?: () => boolean;
  /** where the location logs go in batches (a command moving many files); else each at once */
  readonly presence?: PresenceBulk;
  /**
   * Takes what is left once the content is stored (filling the other side's work-tree file)
   * to finish in the background; awaited when not given. The other side fills the files that
   * arrived meanwhile together, so with this a burst's files are filled many at once instead
   * of one batch per transfer slot (a 1,000-file burst between two clones wrote the other
   * side's index 330 times, one after the other, and the transfers waited for each).
   */
  readonly later?: (work: Promise<unknown>) => void;
}

async function record(req: TransferRequest, copy?: string): Promise<void> {
  const { remote, key } = req;
  const present = (branch: AnnexBranch, uuid: string): Promise<void> =>
    req.presence ? req.presence.add(branch, key, uuid) : setPresence(branch, key, uuid, true);
  if (req.direction === 'download') {
    await present(req.ourBranch, req.ours.uuid);
    // only a pointer file (small, not a link) is filled, with the others that arrived meanwhile
    await populateArrived(req.ours, key, req.file, copy).catch(() => undefined);
    return;
  }
  const theirs = remote.bookkeeping?.branch;
  // a batch is committed with the others: no commit of its own then
  const commit = req.presence === undefined;
  if (theirs) {
    await present(theirs, remote.uuid);
    if (commit && req.commitTheirs !== false) await theirs.commit().catch(() => undefined);
  }
  await present(req.ourBranch, remote.uuid);
  if (commit && req.commitOurs) await req.ourBranch.commit().catch(() => undefined);
  for (const b of req.alsoRecordIn ?? []) await present(b, remote.uuid);
}

export async function runTransfer(req: TransferRequest): Promise<TransferOutcome> {
  const ended = span(`transfer-${req.direction}`, req.remote.name);
  try {
    return await transferOnce(req);
  } finally {
    ended();
  }
}

async function transferOnce(req: TransferRequest): Promise<TransferOutcome> {
  const { ours, remote, key, direction } = req;
  const checked = span('transfer-check', remote.name);
  // a remote whose store answers "already have it" is not asked first (one round trip less)
  const present =
    direction === 'upload'
      ? !remote.storeSaysPresent && (await remote.hasKey(key))
      : await findObject(ours, key);
  if (present) {
    checked();
    if (direction === 'upload') await record(req);
    return { kind: 'already-there' };
  }
  // Never send what the remote is already receiving; never fetch what someone else fetches.
  if (direction === 'upload' && remote.bookkeeping?.isReceiving(key))
    return { kind: 'waiting', reason: `${remote.name} is already receiving it` };
  if (direction === 'download' && isKeyInTransfer(ours.annexdir, 'download', key))
    return {
      kind: 'waiting',
      reason: 'it is already on its way here (another transfer is bringing it)',
    };
  checked();
  const claimed = span('transfer-claim', remote.name);
  const mine = await TransferClaim.claim(ours.annexdir, direction, remote.uuid, key, req.file);
  if (!mine) return { kind: 'waiting', reason: 'another process is transferring it' };
  const theirs = await remote.bookkeeping?.claim(
    direction === 'upload' ? 'download' : 'upload',
    ours.uuid,
    key,
    req.file,
  );
  if (remote.bookkeeping && !theirs) {
    await mine.finish(true);
    return { kind: 'waiting', reason: `${remote.name} is busy with this file` };
  }
  claimed();
  let ok = false;
  let alreadyThere = false;
  const moved = span('transfer-move', remote.name);
  const copy = direction === 'download' ? await copyBeside(ours, key, req.file) : undefined;
  const options = {
    signal: req.signal,
    throttle: req.throttle,
    copyTo: copy,
    onProgress: (n: number) => {
      req.onProgress?.(n);
      void mine.progress(n, undefined);
      void theirs?.progress(n, undefined);
    },
  };
  try {
    if (direction === 'upload') {
      const source = await lockContent(ours, key, 'shared');
      if (!source)
        throw new FerryError(
          'content-missing',
          'this repository does not have the content any more',
          { key },
        );
      try {
        const said = await remote.store(key, { repo: ours, path: source.objectPath }, options);
        alreadyThere = said === 'already-there';
      } finally {
        source.lock.release();
      }
    } else if (!(await remote.retrieve(key, ours, options))) {
      throw new FerryError('content-missing', `${remote.name} does not have the content any more`, {
        key,
      });
    }
    ok = true;
  } finally {
    const settled = ok || req.isFailure?.() === false;
    await theirs?.finish(settled).catch(() => undefined);
    await mine.finish(settled).catch(() => undefined);
    moved();
  }
  const recorded = span('transfer-record', remote.name);
  try {
    await record(req, copy);
  } finally {
    if (copy) await fsp.rm(copy, { force: true });
  }
  noteHolder(ours.annexdir, key, remote.uuid);
  if (alreadyThere) {
    recorded();
    return { kind: 'already-there' };
  }
  const filled = direction === 'upload' ? remote.bookkeeping?.afterStore(key, req.file) : undefined;
  if (filled && req.later) req.later(filled);
  else if (filled) await filled.catch(() => undefined);
  recorded();
  return { kind: 'done' };
}

/** Content at least this big is written to its unlocked work-tree file as it arrives. */
const COPY_BESIDE_BYTES = 1 << 20;

/**
 * Where a download writes the work-tree copy beside the object as the bytes arrive (receive.ts
 * `copyTo`): for an unlocked file of ours that still holds this key's pointer, when the content
 * is big enough for a second pass over it to cost. Undefined otherwise.
 */
async function copyBeside(
  ours: Repository,
  key: string,
  file: string,
): Promise<string | undefined> {
  if (ours.isBare || file === '' || (keySize(key) ?? 0) < COPY_BESIDE_BYTES) return undefined;
  if (badPath(file) || !hasSafeParents(ours.top, file)) return undefined;
  const abs = join(ours.top, file);
  const st = await fsp.lstat(abs).catch(() => undefined);
  if (!st?.isFile() || st.size > MAX_POINTER_BYTES) return undefined;
  const text = await fsp.readFile(abs).catch(() => undefined);
  return text && parsePointer(text) === key ? tmpBeside(abs) : undefined;
}

/** Options of the one-key commands (`ferry get`, `ferry copy`). */
export interface KeyMoveOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (bytesDone: number) => void;
  /** the work-tree file, recorded in the transfer info files */
  readonly file?: string;
  /** the location logs in batches, written by the caller's flush */
  readonly presence?: PresenceBulk;
}

function busy(key: string, reason: string): FerryError {
  return new FerryError('lock-busy', `transfer already in progress: ${reason}`, { key });
}

/** `ferry get`: the key from `remote` into `repo`. False when the remote does not have it. */
export async function getKey(
  repo: Repository,
  branch: AnnexBranch,
  remote: Remote,
  key: string,
  options: KeyMoveOptions = {},
): Promise<boolean> {
  if (await findObject(repo, key)) return true;
  const has = await remote.hasKey(key).catch((e: unknown) => {
    // a remote that is up but cannot tell (a special remote program's CHECKPRESENT-UNKNOWN)
    // is asked for the content itself
    if (isFerryError(e, 'remote-unavailable') && remote.availability().state === 'up') return true;
    throw e;
  });
  if (!has) return false;
  const outcome = await runTransfer({
    ours: repo,
    ourBranch: branch,
    remote,
    direction: 'download',
    key,
    file: options.file ?? '',
    signal: options.signal,
    onProgress: options.onProgress,
    presence: options.presence,
  });
  if (outcome.kind === 'waiting') throw busy(key, outcome.reason);
  return true;
}

/** `ferry copy --to`: the key from `repo` to `remote`; both sides' logs record it. */
export async function copyKey(
  repo: Repository,
  branch: AnnexBranch,
  remote: Remote,
  key: string,
  options: KeyMoveOptions = {},
): Promise<'copied' | 'already-there'> {
  const outcome = await runTransfer({
    ours: repo,
    ourBranch: branch,
    remote,
    direction: 'upload',
    key,
    file: options.file ?? '',
    signal: options.signal,
    onProgress: options.onProgress,
    // the command commits the remote's branch once, when every file is done
    commitTheirs: false,
    presence: options.presence,
  });
  if (outcome.kind === 'waiting') throw busy(key, outcome.reason);
  return outcome.kind === 'done' ? 'copied' : 'already-there';
}
