/**
 * Content of this repository and its local-path remotes beside the moving of it (which is
 * `transfer/runner.ts`): location logs, unlocked files getting or losing their content, drop
 * with its verified copies, fsck and whereis.
 */
import { noteWritten } from './own-writes';
import { randomBytes } from 'node:crypto';
import { constants, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { FerryError } from '../errors';
import { badPath } from '../git/fsck';
import { hasSafeParents } from '../os/safe-path';
import { forEachLimit } from '../util/pool';
import { entryFromStats, readIndex, statMatches, writeIndex } from '../git/index-file';
import type { Remote } from '../remotes/remote';
import type { AnnexBranch } from './branch';
import { parseTrustLog, parseUuidLog, presentUuids } from './logs';
import { dropObject, findObject, lockContent, verifyFile } from './object-store';
import { locationLogPath, parsePointer, pointerContent } from './paths';
import type { Repository } from './repository';
import type { AnnexedFile } from './worktree';
import { withRepositoryLock } from './repository-lock';
import { recordPresence } from './presence-batch';

export function tmpBeside(abs: string): string {
  return `${abs}.ferry-${randomBytes(4).toString('hex')}.tmp`;
}

export async function setPresence(
  branch: AnnexBranch,
  key: string,
  uuid: string,
  present: boolean,
): Promise<void> {
  // written with the other presence changes asked for meanwhile (one hold of the journal lock)
  await recordPresence(branch, key, uuid, present);
}

export async function whereIs(branch: AnnexBranch, key: string): Promise<string[]> {
  return presentUuids(await branch.read(locationLogPath(key)));
}

/** Puts content into unlocked work-tree files that still hold only the pointer, and restages their stat. */
export async function populateUnlocked(
  repo: Repository,
  files: readonly AnnexedFile[],
  prepared?: ReadonlyMap<string, string>,
): Promise<void> {
  const targets = files.filter((f) => !f.isLocked);
  if (targets.length === 0) return;
  await withRepositoryLock(repo, () => populateLocked(repo, targets, prepared));
}

/**
 * A copy of the content written as it arrived (receive.ts's `copyTo`), beside the file: used
 * when it is a regular file of the object's size, else undefined (the object is copied).
 */
async function preparedCopy(path: string | undefined, object: string): Promise<string | undefined> {
  if (path === undefined) return undefined;
  const [copy, obj] = await Promise.all([
    fsp.lstat(path).catch(() => undefined),
    fsp.stat(object).catch(() => undefined),
  ]);
  return copy?.isFile() && obj && copy.size === obj.size ? path : undefined;
}

/** files of one batch filled at once (populateLocked) */
const POPULATE_AT_ONCE = 8;

async function populateLocked(
  repo: Repository,
  targets: readonly AnnexedFile[],
  prepared?: ReadonlyMap<string, string>,
): Promise<void> {
  const index = new Map((await readIndex(repo.gitdir)).map((e) => [e.path, e]));
  let changed = false;
  // several files at once: each is a few waits on the disk, and a burst fills hundreds
  await forEachLimit(targets, POPULATE_AT_ONCE, async (file) => {
    const object = await findObject(repo, file.key);
    if (!object) return;
    const abs = join(repo.top, file.path);
    // a remote's work tree too: never through a link in a leading folder, never onto a link
    if (badPath(file.path) || !hasSafeParents(repo.top, file.path)) return;
    const st = await fsp.lstat(abs).catch(() => undefined);
    if (!st?.isFile() || st.size > 32768) return;
    if (parsePointer(await fsp.readFile(abs)) !== file.key) return;
    const ready = await preparedCopy(prepared?.get(file.path), object);
    const tmp = ready ?? tmpBeside(abs);
    if (!ready)
      await fsp.copyFile(object, tmp, constants.COPYFILE_FICLONE | constants.COPYFILE_EXCL);
    await fsp.chmod(tmp, st.mode & 0o777);
    await fsp.rename(tmp, abs);
    const entry = index.get(file.path);
    const now = await fsp.lstat(abs, { bigint: true });
    noteWritten(abs, now);
    if (entry) {
      index.set(file.path, entryFromStats(file.path, entry.oid, entry.mode, now));
      changed = true;
    }
  });
  if (changed) await writeIndex(repo.gitdir, index.values());
}

/** Replaces unmodified unlocked work-tree files by their pointer after a drop. Modified files are left alone. */
export async function depopulateUnlocked(
  repo: Repository,
  files: readonly AnnexedFile[],
): Promise<void> {
  const targets = files.filter((f) => !f.isLocked);
  if (targets.length === 0) return;
  await withRepositoryLock(repo, () => depopulateLocked(repo, targets));
}

async function depopulateLocked(repo: Repository, targets: readonly AnnexedFile[]): Promise<void> {
  const index = new Map((await readIndex(repo.gitdir)).map((e) => [e.path, e]));
  let changed = false;
  for (const file of targets) {
    const abs = join(repo.top, file.path);
    const entry = index.get(file.path);
    if (badPath(file.path) || !hasSafeParents(repo.top, file.path)) continue;
    const st = await fsp.lstat(abs, { bigint: true }).catch(() => undefined);
    if (!entry || !st?.isFile()) continue;
    // git zeroes the size of racily clean entries, so a stat mismatch is settled by the checksum.
    if (!statMatches(entry, st) && !(await verifyFile(file.key, abs))) continue;
    const tmp = tmpBeside(abs);
    await fsp.writeFile(tmp, pointerContent(file.key), {
      mode: Number(st.mode) & 0o777,
      flag: 'wx',
    });
    await fsp.rename(tmp, abs);
    index.set(
      file.path,
      entryFromStats(file.path, entry.oid, entry.mode, await fsp.stat(abs, { bigint: true })),
    );
    changed = true;
  }
  if (changed) await writeIndex(repo.gitdir, index.values());
}

export interface CopyVerifier {
  /** Verified copies elsewhere, with the locks that keep them while we drop. */
  verify(
    key: string,
    exceptUuid: string,
  ): Promise<{ count: number; release: () => void; where: string[] }>;
}

/**
 * Counts copies that can stand in for the one being dropped: remotes whose copy can be locked
 * shared (held until the drop is done) and holds up (a regular file of the key's size, and its
 * checksum when it is the only other copy), this repository's own copy when the drop is from a
 * remote, plus trusted repositories the log lists. Copies known only from the location log of
 * untrusted or semitrusted repositories do not count.
 */
export async function copyVerifier(
  repo: Repository,
  branch: AnnexBranch,
  remotes: readonly Remote[],
): Promise<CopyVerifier> {
  const trust = parseTrustLog(await branch.read('trust.log'));
  const byUuid = new Map(remotes.filter((r) => r.uuid !== '').map((r) => [r.uuid, r]));
  return {
    async verify(key, exceptUuid) {
      const listed = await whereIs(branch, key);
      const locks: (() => void)[] = [];
      const where: string[] = [];
      const checked: Remote[] = [];
      try {
        for (const uuid of new Set([...listed, ...byUuid.keys(), repo.uuid])) {
          if (uuid === exceptUuid) continue;
          if (uuid === repo.uuid) {
            const held = await lockContent(repo, key, 'shared');
            if (!held) continue;
            locks.push(() => held.lock.release());
            where.push(uuid);
            continue;
          }
          const remote = byUuid.get(uuid);
          if (remote) {
            if (remote.availability().state !== 'up') continue;
            // a remote that cannot be asked (gone, or not the repository it names) vouches for nothing
            const lock = await remote.lockContent(key).catch(() => undefined);
            if (!lock) continue;
            locks.push(() => lock.release());
            // A copy that is not a regular file of the key's size is no copy (a lying remote).
            if (!(await remote.checkCopy(key, false).catch(() => false))) continue;
            where.push(uuid);
            checked.push(remote);
          } else if (listed.includes(uuid) && trust.get(uuid) === 'trusted') {
            where.push(uuid);
          }
        }
        // The only other copy is worth its checksum before the last but one goes.
        const only = where.length === 1 ? checked.find((r) => r.uuid === where[0]) : undefined;
        if (only && !(await only.checkCopy(key, true).catch(() => false))) where.length = 0;
        return { count: where.length, where, release: () => locks.forEach((r) => r()) };
      } catch (e) {
        // nothing stays locked for a drop that will not happen
        for (const r of locks) r();
        throw e;
      }
    },
  };
}

/** What a drop removes from: this repository's store, or a remote's. */
export interface DropTarget {
  readonly uuid: string;
  remove(key: string, check: () => Promise<void>): Promise<boolean>;
}

/** This repository as a drop target. */
export function localDropTarget(repo: Repository): DropTarget {
  return { uuid: repo.uuid, remove: (key, check) => dropObject(repo, key, check) };
}

/** Drops a key from `target` (this repository or a remote) if enough other copies are verified. */
export async function dropKey(
  target: DropTarget,
  targetBranches: readonly AnnexBranch[],
  key: string,
  verifier: CopyVerifier,
  numcopies: number,
  force: boolean,
): Promise<'dropped' | 'not-present'> {
  let release = (): void => undefined;
  try {
    const dropped = await target.remove(key, async () => {
      if (force) return;
      const v = await verifier.verify(key, target.uuid);
      release = v.release;
      if (v.count < numcopies) {
        throw new FerryError(
          'not-enough-copies',
          `could only verify ${v.count} other ${v.count === 1 ? 'copy' : 'copies'} of ${key}; ${numcopies} needed (use --force to drop anyway)`,
          { key, verified: v.count, numcopies },
        );
      }
    });
    if (!dropped) return 'not-present';
  } finally {
    release();
  }
  for (const b of targetBranches) await setPresence(b, key, target.uuid, false);
  return 'dropped';
}

export interface FsckProblem {
  readonly key: string;
  readonly path?: string;
  readonly problem: 'bad-content' | 'log-fixed-present' | 'log-fixed-absent' | 'too-few-copies';
  readonly message: string;
}

/** Verifies a key here: the checksum of the object, and the location log's word on this repository. */
export async function fsckKey(
  repo: Repository,
  branch: AnnexBranch,
  key: string,
  numcopies: number,
  path?: string,
): Promise<FsckProblem[]> {
  const problems: FsckProblem[] = [];
  const object = await findObject(repo, key);
  const listed = await whereIs(branch, key);
  const isListed = listed.includes(repo.uuid);
  if (object) {
    if (!(await verifyFile(key, object))) {
      const bad = join(repo.annexdir, 'bad');
      await fsp.mkdir(bad, { recursive: true });
      await fsp.chmod(join(object, '..'), 0o755).catch(() => undefined);
      await fsp.rename(object, join(bad, key.replace(/\//g, '%')));
      problems.push({
        key,
        path,
        problem: 'bad-content',
        message: `${path ?? key}: content does not match its checksum; moved to .git/annex/bad`,
      });
      if (isListed) await setPresence(branch, key, repo.uuid, false);
    } else if (!isListed) {
      await setPresence(branch, key, repo.uuid, true);
      problems.push({
        key,
        path,
        problem: 'log-fixed-present',
        message: `${path ?? key}: content is here but the location log did not say so (fixed)`,
      });
    }
  } else if (isListed) {
    await setPresence(branch, key, repo.uuid, false);
    problems.push({
      key,
      path,
      problem: 'log-fixed-absent',
      message: `${path ?? key}: the location log said the content is here, but it is not (fixed)`,
    });
  }
  const copies = (await whereIs(branch, key)).length;
  if (copies < numcopies) {
    problems.push({
      key,
      path,
      problem: 'too-few-copies',
      message: `${path ?? key}: only ${copies} of ${numcopies} wanted copies`,
    });
  }
  return problems;
}

export async function describeUuids(branch: AnnexBranch): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [uuid, entry] of parseUuidLog(await branch.read('uuid.log')))
    out.set(uuid, entry.value);
  return out;
}
