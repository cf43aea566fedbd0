/**
 * Brings the work tree and the index from one tree to another after a merge: symlinks for locked
 * files, content (or the pointer, when the content is not here) for unlocked files, plain files
 * for git files. A file the user changed since it was last committed is never overwritten or
 * deleted: it is left as it is, and shows as a change to commit on top of the merge.
 */
import { noteRemoved, noteWritten } from '../annex/own-writes';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  constants,
  copyFileSync,
  lstatSync,
  promises as fsp,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { keySize } from '../annex/key';
import { dirname, join } from 'node:path';
import { findObject, verifyFile } from '../annex/object-store';
import { parsePointer } from '../annex/paths';
import type { Repository } from '../annex/repository';
import { FerryError } from '../errors';
import {
  entryFromStats,
  readIndex,
  statMatches,
  writeIndex,
  type IndexEntry,
} from '../git/index-file';
import { badPath } from '../git/fsck';
import { hashObject, type TreeEntry } from '../git/object-writer';
import { readBlob, readTree } from '../git/read';
import { hasSafeParents, makeParentDirs } from '../os/safe-path';

export interface FileChange {
  readonly path: string;
  readonly before: TreeEntry | undefined;
  readonly after: TreeEntry | undefined;
}

/** File-level differences between two trees (subtrees with equal ids are skipped). */
export async function diffTrees(
  repo: Repository,
  a: string | undefined,
  b: string | undefined,
  prefix = '',
): Promise<FileChange[]> {
  if (a === b) return [];
  const ea = new Map(a ? (await readTree(repo.git, a)).map((e) => [e.path, e]) : []);
  const eb = new Map(b ? (await readTree(repo.git, b)).map((e) => [e.path, e]) : []);
  const out: FileChange[] = [];
  for (const name of [...new Set([...ea.keys(), ...eb.keys()])].sort()) {
    const x = ea.get(name);
    const y = eb.get(name);
    if (x && y && x.oid === y.oid && x.mode === y.mode) continue;
    const path = prefix === '' ? name : `${prefix}/${name}`;
    const xt = x?.type === 'tree' ? x.oid : undefined;
    const yt = y?.type === 'tree' ? y.oid : undefined;
    if (xt || yt) out.push(...(await diffTrees(repo, xt, yt, path)));
    const xf = x && x.type !== 'tree' ? x : undefined;
    const yf = y && y.type !== 'tree' ? y : undefined;
    if (xf || yf) out.push({ path, before: xf, after: yf });
  }
  return out;
}

/** Whether the work-tree file still holds what the index says was committed. */
async function isUnmodified(
  repo: Repository,
  entry: IndexEntry,
  abs: string,
  rel: string,
): Promise<boolean> {
  // Behind a link or a file in place of a directory: not the committed file, and not ours to touch.
  if (!hasSafeParents(repo.top, rel)) return false;
  let st;
  try {
    st = await fsp.lstat(abs, { bigint: true });
  } catch {
    return true; // already gone: nothing of the user's to keep
  }
  if (statMatches(entry, st)) return true;
  if (st.isSymbolicLink()) {
    return (
      entry.mode === 0o120000 && hashObject('blob', Buffer.from(readlinkSync(abs))) === entry.oid
    );
  }
  if (!st.isFile()) return false;
  if (st.size <= 32768n) {
    const content = await fsp.readFile(abs);
    if (hashObject('blob', content) === entry.oid) return true;
  }
  // An unlocked annexed file holding its content.
  const pointer = await readBlob(repo.git, entry.oid).catch(() => undefined);
  const key = pointer && pointer.byteLength <= 32768 ? parsePointer(pointer) : undefined;
  return key !== undefined && (await verifyFile(key, abs));
}

function tmpBeside(abs: string): string {
  return join(dirname(abs), `.ferry-new-${randomBytes(4).toString('hex')}`);
}

/** Content up to this size is written with direct system calls (a burst writes hundreds). */
const SMALL_ENTRY_BYTES = 1 << 20;
/** how many of the changed paths an update names */
const SAMPLE = 3;

async function writeEntry(
  repo: Repository,
  rel: string,
  abs: string,
  entry: TreeEntry,
  madeDirs: Set<string>,
): Promise<void> {
  const problem = badPath(rel);
  if (problem) throw new FerryError('unsafe-path', `${rel} is not written: it holds ${problem}`);
  // Each leading directory is made or checked in turn: never through a symbolic link.
  await makeParentDirs(repo.top, rel, madeDirs);
  const tmp = tmpBeside(abs);
  const blob = Buffer.from(await readBlob(repo.git, entry.oid));
  try {
    if (entry.mode === '120000') {
      symlinkSync(blob.toString('utf8'), tmp);
    } else {
      const mode = entry.mode === '100755' ? 0o755 : 0o644;
      const key = blob.byteLength <= 32768 ? parsePointer(blob) : undefined;
      const object = key ? await findObject(repo, key) : undefined;
      if (object && (keySize(key ?? '') ?? Infinity) <= SMALL_ENTRY_BYTES) {
        copyFileSync(object, tmp, constants.COPYFILE_FICLONE);
        chmodSync(tmp, mode);
      } else if (object) {
        await fsp.copyFile(object, tmp, constants.COPYFILE_FICLONE);
        await fsp.chmod(tmp, mode);
      } else {
        writeFileSync(tmp, blob, { mode, flag: 'wx' });
      }
    }
    renameSync(tmp, abs);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

async function removeEmptyParents(top: string, abs: string): Promise<void> {
  let dir = dirname(abs);
  while (dir.length > top.length && dir.startsWith(top)) {
    try {
      await fsp.rmdir(dir);
    } catch {
      return;
    }
    dir = dirname(dir);
  }
}

export interface WorkTreeUpdate {
  readonly written: number;
  readonly removed: number;
  /** paths whose local changes were kept instead of the merged version */
  readonly keptLocal: string[];
  /** how many paths the two trees differ in, and some of them */
  readonly changed: number;
  readonly sample: readonly string[];
}

export async function updateWorkTree(
  repo: Repository,
  oldTree: string | undefined,
  newTree: string,
): Promise<WorkTreeUpdate> {
  const changes = await diffTrees(repo, oldTree, newTree);
  const index = new Map((await readIndex(repo.gitdir)).map((e) => [e.path, e]));
  const keptLocal: string[] = [];
  // folders made or checked during this update: each is looked at once, not once per file
  const madeDirs = new Set<string>();
  let written = 0;
  let removed = 0;
  // Removals first, deepest first, so files can replace directories and the other way round.
  const removals = changes
    .filter((c) => c.before && !c.after)
    .sort((a, b) => b.path.length - a.path.length);
  for (const c of removals) {
    const abs = join(repo.top, c.path);
    const entry = index.get(c.path);
    if (!hasSafeParents(repo.top, c.path)) {
      // a leading directory is now a link or a file: what is behind it is not this file
      removed++;
    } else if (entry && !(await isUnmodified(repo, entry, abs, c.path))) {
      keptLocal.push(c.path);
    } else {
      await fsp.rm(abs, { force: true });
      noteRemoved(abs);
      await removeEmptyParents(repo.top, abs);
      removed++;
    }
    index.delete(c.path);
  }
  let step = 0;
  for (const c of changes) {
    if (!c.after) continue;
    const abs = join(repo.top, c.path);
    const entry = index.get(c.path);
    const mode = parseInt(c.after.mode, 8);
    // the event loop is let go now and then: a big update must not hold up the peers served
    if (++step % 64 === 0) await new Promise((r) => setImmediate(r));
    const mayWrite = entry
      ? await isUnmodified(repo, entry, abs, c.path)
      : hasSafeParents(repo.top, c.path) && !lexists(abs);
    if (!mayWrite) {
      keptLocal.push(c.path);
      // Staged as the merged version with no stat data, so git and Ferry see the local change.
      index.set(c.path, {
        ...(entry ?? emptyEntry(c.path)),
        oid: c.after.oid,
        mode,
        size: 0,
        mtimeSeconds: 0,
        mtimeNanoseconds: 0,
      });
      continue;
    }
    try {
      await writeEntry(repo, c.path, abs, c.after, madeDirs);
      written++;
      const st = lstatSync(abs, { bigint: true });
      noteWritten(abs, st);
      index.set(c.path, entryFromStats(c.path, c.after.oid, mode, st));
    } catch {
      keptLocal.push(c.path);
      index.set(c.path, { ...emptyEntry(c.path), oid: c.after.oid, mode });
    }
  }
  await writeIndex(repo.gitdir, index.values());
  return {
    written,
    removed,
    keptLocal,
    changed: changes.length,
    sample: changes.slice(0, SAMPLE).map((c) => c.path),
  };
}

/** Whether anything (a file, a folder, a link) is at `abs`. */
function lexists(abs: string): boolean {
  try {
    return lstatSync(abs, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return true; // cannot be looked at: not ours to write over
  }
}

function emptyEntry(path: string): IndexEntry {
  return {
    path,
    oid: '0'.repeat(40),
    mode: 0o100644,
    ctimeSeconds: 0,
    ctimeNanoseconds: 0,
    mtimeSeconds: 0,
    mtimeNanoseconds: 0,
    dev: 0,
    ino: 0,
    uid: 0,
    gid: 0,
    size: 0,
    stage: 0,
  };
}
