/**
 * `ferry add`: puts files into the content store (or into git, for dotfiles and files
 * annex.largefiles calls small), records the new content in the location logs, then stages and
 * commits them. Content and location logs first, then objects, the ref and the index, so a
 * crash at any point leaves a valid repository that the next add completes.
 */
import type { BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { FerryError } from '../errors';
import { addCommit } from '../git/commit';
import {
  entryFromStats,
  readIndex,
  statMatches,
  writeIndex,
  type IndexEntry,
} from '../git/index-file';
import { ObjectBatch } from '../git/object-writer';
import { commitTree, currentBranch, resolveRef, treeLookup, walkTree } from '../git/read';
import { editTree, type BlobEdit } from '../git/tree-edit';
import { updateRef } from '../git/write-ref';
import { SMALL_FILE_BYTES, syncOps as ops } from '../os/fs-ops';
import { forEachLimit } from '../util/pool';
import { AnnexBranch } from './branch';
import { cleanIngestLeftovers, ingestFile } from './ingest';
import { ingestRead, readSmallFile } from './ingest-small';
import { findObject } from './object-store';
import { parseLargeFiles, type Matcher } from './largefiles';
import { addPresence, parseUuidLog } from './logs';
import {
  locationLogPath,
  parsePointer,
  parseSymlinkTarget,
  pointerContent,
  symlinkTarget,
} from './paths';
import type { Repository } from './repository';
import { readSettings } from './settings';
import { nowTimestamp } from './timestamp';
import { keyOfBlob, listWorkFiles, toRelative } from './worktree';
import { errorMessage } from '../../shared/errors';

export interface AddProgress {
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly bytesDone: number;
  readonly current?: string;
}

export interface AddResult {
  readonly annexed: { path: string; key: string }[];
  readonly removed: string[];
  readonly toGit: string[];
  readonly failed: { path: string; code: string; message: string }[];
  readonly unchanged: number;
  readonly commit: string | undefined;
  /** folders that could not be read and were skipped, with why */
  readonly skipped: { path: string; message: string }[];
}

export interface AddOptions {
  readonly onProgress?: (p: AddProgress) => void;
  readonly signal?: AbortSignal;
  /** commit message; default `git-annex in <description>` */
  readonly message?: string;
  /** force unlocked or locked regardless of annex.addunlocked */
  readonly mode?: 'locked' | 'unlocked';
  /** also stage removals of tracked files that are gone (the assistant, `ferry sync`) */
  readonly withDeletions?: boolean;
  /** only files git already tracks, as `git commit -a` (default: new files too) */
  readonly trackedOnly?: boolean;
}

export async function repoDescription(repo: Repository, branch: AnnexBranch): Promise<string> {
  return parseUuidLog(await branch.read('uuid.log')).get(repo.uuid)?.value ?? repo.top;
}

function stagedMode(mode: number): BlobEdit['mode'] | undefined {
  if (mode === 0o120000) return '120000';
  if (mode === 0o100755) return '100755';
  if (mode === 0o100644) return '100644';
  return undefined; // a submodule or something else git tracks that Ferry leaves alone
}

/** The files committed at `rel` (a file, or everything under a folder; '' for all). */
async function committedPaths(
  repo: Repository,
  committed: (path: string) => Promise<{ type: string; oid: string } | undefined>,
  baseTree: string | undefined,
  rel: string,
): Promise<string[]> {
  const entry = rel === '' ? undefined : await committed(rel);
  const tree = rel === '' ? baseTree : entry?.type === 'tree' ? entry.oid : undefined;
  if (!tree) return entry?.type === 'blob' ? [rel] : [];
  const out: string[] = [];
  for await (const [path, e] of walkTree(repo.git, tree, rel))
    if (e.type === 'blob') out.push(path);
  return out;
}

/** A small file's bytes; undefined when they cannot be read so (the general path says why). */
function readQuiet(abs: string, size: number): Buffer | undefined {
  try {
    return readSmallFile(abs, size);
  } catch {
    return undefined;
  }
}

function isDotPath(path: string): boolean {
  return path.split('/').some((part) => part.startsWith('.'));
}

export async function addPaths(
  repo: Repository,
  paths: readonly string[],
  options: AddOptions = {},
): Promise<AddResult> {
  if (repo.isBare) throw new FerryError('usage', 'cannot add files to a bare repository');
  const branch = new AnnexBranch(repo);
  const settings = await readSettings(repo, branch);
  let largefiles: Matcher | undefined;
  try {
    largefiles = settings.largefiles ? parseLargeFiles(settings.largefiles) : undefined;
  } catch (e) {
    throw new FerryError('usage', `annex.largefiles: ${errorMessage(e)}`);
  }
  const mode = options.mode ?? (settings.addunlocked ? 'unlocked' : 'locked');
  await cleanIngestLeftovers(repo);
  const index = new Map<string, IndexEntry>();
  for (const e of await readIndex(repo.gitdir)) index.set(e.path, e);
  const scope = paths.length === 0 ? ['.'] : paths;
  const skipped: { path: string; message: string }[] = [];
  const listed = await listWorkFiles(repo, scope, {
    allowMissing: options.withDeletions === true,
    skipped,
  });
  // What is under a folder that could not be read is not gone: it is never staged as removed.
  const isUnderSkipped = (path: string): boolean =>
    skipped.some((s) => s.path === '' || path.startsWith(`${s.path}/`));
  const files = options.trackedOnly ? listed.filter((f) => index.has(f)) : listed;

  const head = await resolveRef(repo.git, 'HEAD');
  const baseTree = head ? await commitTree(repo.git, head) : undefined;
  const committed = treeLookup(repo.git, baseTree);
  const batch = new ObjectBatch(repo.gitdir);
  const edits = new Map<string, BlobEdit | null>();
  const newEntries = new Map<string, IndexEntry>();
  const annexed: { path: string; key: string }[] = [];
  const toGit: string[] = [];
  const failed: { path: string; code: string; message: string }[] = [];
  let unchanged = 0;
  let filesDone = 0;
  let bytesDone = 0;
  const report = (current?: string): void =>
    options.onProgress?.({ filesDone, filesTotal: files.length, bytesDone, current });

  const stage = (path: string, oid: string, gitMode: BlobEdit['mode'], st: BigIntStats): void => {
    edits.set(path, { oid, mode: gitMode });
    newEntries.set(path, entryFromStats(path, oid, parseInt(gitMode, 8), st));
  };

  await forEachLimit(files, 16, async (rel) => {
    options.signal?.throwIfAborted();
    const abs = join(repo.top, rel);
    try {
      const lst = await ops.lstatBig(abs);
      const size = Number(lst.size);
      const known = index.get(rel);
      if (known && known.stage === 0 && statMatches(known, lst)) {
        const inHead = await committed(rel);
        const staged = stagedMode(known.mode);
        if (!staged || (inHead?.oid === known.oid && inHead.mode === staged)) {
          unchanged++;
          return;
        }
        // Staged but not committed (`git add`, `git annex add`, or an add that stopped before
        // its commit): committed as staged, as git commit -a does.
        edits.set(rel, { oid: known.oid, mode: staged });
        const key = await keyOfBlob(repo, known.oid, staged === '120000');
        if (key && (await findObject(repo, key, ops))) annexed.push({ path: rel, key });
        else if (!key) toGit.push(rel);
        return;
      }
      if (lst.isSymbolicLink()) {
        const target = await ops.readlink(abs);
        const oid = batch.add('blob', target);
        if (known?.oid === oid) {
          unchanged++;
          return;
        }
        stage(rel, oid, '120000', lst);
        const key = parseSymlinkTarget(target);
        if (key) annexed.push({ path: rel, key });
        else toGit.push(rel);
        return;
      }
      const isSmall =
        (isDotPath(rel) && !settings.dotfiles) ||
        (largefiles !== undefined && !largefiles({ path: rel, size }));
      if (isSmall) {
        const content = await ops.readFile(abs);
        const st = await ops.lstatBig(abs);
        stage(
          rel,
          batch.add('blob', content),
          (Number(st.mode) & 0o111) !== 0 ? '100755' : '100644',
          st,
        );
        toGit.push(rel);
        bytesDone += content.length;
        return;
      }
      // A small file is read once: the same bytes tell a pointer from content and are hashed.
      const content = size <= SMALL_FILE_BYTES ? readQuiet(abs, size) : undefined;
      if (content && content.length <= 32768) {
        // An unlocked file whose content is not here holds its pointer: it stays a pointer.
        const pointed = parsePointer(content);
        if (pointed) {
          const oid = batch.add('blob', content);
          if (known?.oid === oid) {
            index.set(rel, entryFromStats(rel, oid, known.mode, lst));
            unchanged++;
            return;
          }
          // staged as it is; no location log change, the content is not here
          stage(rel, oid, '100644', lst);
          return;
        }
      }
      report(rel);
      const how = {
        backend: settings.backend,
        mode,
        thin: settings.thin,
        signal: options.signal,
        symlinkFor: (k: string) => symlinkTarget(rel, k),
      };
      const { key } =
        (content && (await ingestRead(repo, abs, rel, lst, content, how))) ??
        (await ingestFile(repo, abs, rel, how));
      bytesDone += size;
      if (mode === 'locked') {
        const target = symlinkTarget(rel, key);
        stage(rel, batch.add('blob', target), '120000', await ops.lstatBig(abs));
      } else {
        const oid = batch.add('blob', pointerContent(key));
        stage(rel, oid, '100644', await ops.statBig(abs));
        if (known?.oid === oid) {
          unchanged++;
          return;
        }
      }
      annexed.push({ path: rel, key });
    } catch (e) {
      if (options.signal?.aborted) throw e;
      const err =
        e instanceof FerryError
          ? e
          : new FerryError('io-error', `cannot add ${rel}: ${String(e)}`, { path: rel }, e);
      failed.push({ path: rel, code: err.code, message: err.message });
    } finally {
      filesDone++;
      report();
    }
  });

  const removed: string[] = [];
  if (options.withDeletions) {
    const present = new Set(listed);
    const rels = scope.map((p) => toRelative(repo, p));
    const inScope = (path: string): boolean =>
      rels.some((r) => r === '' || path === r || path.startsWith(`${r}/`));
    // Gone from the work tree: tracked files, and committed files whose removal is only staged
    // (`git rm`, or a merge stopped before it moved the branch), as git commit -a takes them.
    const candidates = new Set([...index.keys()].filter(inScope));
    for (const rel of new Set(rels)) {
      for (const path of await committedPaths(repo, committed, baseTree, rel)) candidates.add(path);
    }
    for (const path of candidates) {
      if (present.has(path) || edits.has(path) || isUnderSkipped(path)) continue;
      const exists = await ops.lstat(join(repo.top, path)).then(
        () => true,
        () => false,
      );
      if (exists) continue;
      edits.set(path, null);
      removed.push(path);
    }
  }

  // The content is in the store now: say so before anything is committed, as git annex add
  // does. A process stopped after this and before its commit leaves a true location log and
  // files the next add commits; the other way round, the next add would find the files
  // committed and never record their content.
  const now = nowTimestamp();
  const logChanges = new Map<string, (old: string) => string | undefined>();
  for (const { key } of annexed)
    logChanges.set(locationLogPath(key), (old) => addPresence(old, repo.uuid, '1', now));
  await branch.changeMany(logChanges);

  let commit: string | undefined;
  if (edits.size > 0) {
    const branchName = (await currentBranch(repo.git)) ?? 'master';
    const tree = await editTree(repo.git, batch, baseTree, edits);
    if (tree !== baseTree) {
      const message = options.message ?? `git-annex in ${await repoDescription(repo, branch)}`;
      commit = await addCommit(repo.git, batch, tree, head ? [head] : [], message);
    }
    await batch.flush();
    for (const [path, entry] of newEntries) index.set(path, entry);
    for (const path of removed) index.delete(path);
    // The ref before the index, as git commit does: a crash between the two leaves an index
    // behind the branch, whose files the next add stages again unchanged. The other way round,
    // the index would hold files the branch lacks and the next add would take them as committed.
    if (commit) await updateRef(repo.git, `refs/heads/${branchName}`, commit, head);
    await writeIndex(repo.gitdir, index.values());
  }
  return { annexed, removed, toGit, failed, unchanged, commit, skipped };
}
