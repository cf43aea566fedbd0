/**
 * The git-annex branch: reads (journal first, then the branch), journalled writes under the
 * journal lock, commits of the journal as `update` commits, and the union merge of every
 * ref ending in `/git-annex` (deletions never propagate; lines are unioned and sorted).
 */
import { promises as fsp } from 'node:fs';
import { basename, join } from 'node:path';
import { FerryError } from '../errors';
import { addCommit } from '../git/commit';
import { ObjectBatch } from '../git/object-writer';
import {
  readNewTrees,
  commitTree,
  isAncestor,
  listRefs,
  readBlob,
  resolveRef,
  treeLookup,
} from '../git/read';
import { editTree, type BlobEdit } from '../git/tree-edit';
import { tryUpdateRef, updateRef } from '../git/write-ref';
import { lock, type HeldLock } from '../os/file-lock';
import { inTurn } from '../os/in-turn';
import { span } from '../trace';
import { hasSafeParents } from '../os/safe-path';
import { badPath } from '../git/fsck';
import { logText, oversizedTopLogs, unionTrees } from './branch-union';
import { readJournalFile, writeJournalFile } from './journal-files';
import { journalName, journalNameToPath } from './paths';
import { assertPresent, type Repository } from './repository';
import { errorMessage } from '../../shared/errors';

export const ANNEX_BRANCH = 'refs/heads/git-annex';

export class AnnexBranch {
  /** refs the last `update` could not merge (a bad object on them), with why */
  refused: { ref: string; reason: string }[] = [];

  constructor(private readonly repo: Repository) {}

  private get journalDir(): string {
    return join(this.repo.annexdir, 'journal');
  }

  async withJournalLock<T>(fn: () => Promise<T>): Promise<T> {
    assertPresent(this.repo);
    const path = join(this.repo.annexdir, 'journal.lck');
    // this process's writers queue here in order, and only the first polls the file lock
    // (which other processes hold too): a lock let go passes straight to the next in line
    const waited = span('journal-wait');
    return inTurn(path, async () => {
      await fsp.mkdir(this.repo.annexdir, { recursive: true });
      const held: HeldLock = await lock(path, 'exclusive');
      waited();
      const holding = span('journal-hold');
      this.journalReady.dirs = false; // checked again once in each hold of the lock
      try {
        return await fn();
      } finally {
        held.release();
        holding();
      }
    });
  }

  private lastTree: { commit: string; tree: string } | undefined;

  private async treeOf(commit: string): Promise<string> {
    if (this.lastTree?.commit !== commit)
      this.lastTree = { commit, tree: await commitTree(this.repo.git, commit) };
    return this.lastTree.tree;
  }

  async tip(): Promise<string | undefined> {
    return resolveRef(this.repo.git, ANNEX_BRANCH);
  }

  /** Creates the branch if it is missing: from origin's git-annex when there is one. */
  async ensure(): Promise<string> {
    const tip = await this.tip();
    if (tip) return tip;
    const origin = await resolveRef(this.repo.git, 'refs/remotes/origin/git-annex');
    if (origin) {
      await updateRef(this.repo.git, ANNEX_BRANCH, origin, undefined);
      return origin;
    }
    const batch = new ObjectBatch(this.repo.gitdir);
    const empty = batch.add('tree', Buffer.alloc(0));
    const commit = await addCommit(this.repo.git, batch, empty, [], 'branch created');
    await batch.flush();
    await updateRef(this.repo.git, ANNEX_BRANCH, commit, undefined);
    return commit;
  }

  /** The journal folder is a real folder (or absent): a remote's may be a link out of it. */
  private hasRealJournal(): boolean {
    return hasSafeParents(this.repo.gitdir, `${basename(this.repo.annexdir)}/journal`, true);
  }

  private readJournal(path: string): Promise<string | undefined> {
    if (!this.hasRealJournal()) return Promise.resolve(undefined);
    try {
      return Promise.resolve(readJournalFile(this.journalDir, path));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  private lookup: { tree: string; find: ReturnType<typeof treeLookup> } | undefined;

  private async readCommitted(path: string, tip: string | undefined): Promise<string> {
    if (!tip) return '';
    const tree = await this.treeOf(tip);
    // one lookup per branch tree: reading many logs reads each hash directory once
    if (this.lookup?.tree !== tree) this.lookup = { tree, find: treeLookup(this.repo.git, tree) };
    const entry = await this.lookup.find(path);
    if (!entry || entry.type !== 'blob') return '';
    return logText(await readBlob(this.repo.git, entry.oid), path);
  }

  /** The current content of a branch file: the journal's if there is one, else the branch's. */
  async read(path: string): Promise<string> {
    const journalled = await this.readJournal(path);
    if (journalled !== undefined) return journalled;
    return this.readCommitted(path, await this.tip());
  }

  /** Changes one file through the journal (atomic full-file write). */
  async change(path: string, fn: (old: string) => string | undefined): Promise<boolean> {
    return this.withJournalLock(async () => {
      const next = fn(await this.read(path));
      if (next === undefined) return false;
      await this.writeJournalLocked(path, next);
      return true;
    });
  }

  /** Changes several files through the journal under one hold of its lock (in order). */
  async changeEach(
    changes: readonly (readonly [string, (old: string) => string | undefined])[],
  ): Promise<void> {
    await this.withJournalLock(async () => {
      for (const [path, fn] of changes) {
        const next = fn(await this.read(path));
        if (next !== undefined) await this.writeJournalLocked(path, next);
      }
    });
  }

  /** The repository's git-annex folder (what identifies the journal this branch writes). */
  get annexdir(): string {
    return this.repo.annexdir;
  }

  /** whether othertmp/ and journal/ were made or checked in this hold of the lock */
  private readonly journalReady = { dirs: false };

  private writeJournalLocked(path: string, content: string): Promise<void> {
    return writeJournalFile(this.repo.annexdir, path, content, this.journalReady);
  }

  /**
   * Applies many changes and commits them straight to the branch (with whatever the journal
   * holds), which is much faster than a journal file per change. Used by bulk operations.
   */
  async changeMany(
    changes: ReadonlyMap<string, (old: string) => string | undefined>,
  ): Promise<number> {
    if (changes.size === 0) return 0;
    return this.withJournalLock(async () => {
      const tip = await this.ensure();
      const extra = new Map<string, string>();
      // One listing of the journal (held under its lock) instead of one open per path.
      const inJournal = new Set(
        this.hasRealJournal() ? await fsp.readdir(this.journalDir).catch(() => []) : [],
      );
      for (const [path, fn] of changes) {
        const journalled = inJournal.has(journalName(path))
          ? await this.readJournal(path)
          : undefined;
        const old = journalled ?? (await this.readCommitted(path, tip));
        const next = fn(old);
        if (next !== undefined) extra.set(path, next);
      }
      // committed on the tip the changes were computed from; a branch moved meanwhile (a push
      // into it) is union-merged by setTip
      if (extra.size > 0) await this.commitLocked('update', extra, tip);
      return extra.size;
    });
  }

  /** Commits the journal ("recording state in git"). */
  async commit(message = 'update'): Promise<boolean> {
    return this.withJournalLock(() => this.commitLocked(message, new Map()));
  }

  private async commitLocked(
    message: string,
    extra: ReadonlyMap<string, string>,
    base?: string,
  ): Promise<boolean> {
    let names: string[];
    try {
      names = this.hasRealJournal() ? await fsp.readdir(this.journalDir) : [];
    } catch {
      names = [];
    }
    const files = new Map<string, string>();
    for (const name of names) {
      // only names that map to a path git accepts (a remote's journal is untrusted)
      if (badPath(journalNameToPath(name))) continue;
      const content = await this.readJournal(journalNameToPath(name));
      if (content !== undefined) files.set(journalNameToPath(name), content);
    }
    for (const [path, content] of extra) files.set(path, content);
    if (files.size === 0) return false;
    const tip = base ?? (await this.ensure());
    const batch = new ObjectBatch(this.repo.gitdir);
    const edits = new Map<string, BlobEdit>();
    for (const [path, content] of files)
      edits.set(path, { oid: batch.add('blob', content), mode: '100644' });
    const tree = await editTree(this.repo.git, batch, await commitTree(this.repo.git, tip), edits);
    const commit = await addCommit(this.repo.git, batch, tree, [tip], message);
    await batch.flush();
    await this.setTip(commit, tip);
    await Promise.all(names.map((name) => fsp.rm(join(this.journalDir, name), { force: true })));
    return true;
  }

  /** Every ref whose name ends in `/git-annex`, except our own branch. */
  async annexRefs(): Promise<string[]> {
    const out: string[] = [];
    for (const prefix of ['refs/remotes', 'refs/heads/synced', 'refs/synced']) {
      for (const ref of await listRefs(this.repo.git, prefix).catch(() => [])) {
        if (ref.endsWith('/git-annex')) out.push(ref);
      }
    }
    return out;
  }

  private async readMergedRefs(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    try {
      const text = await fsp.readFile(join(this.repo.annexdir, 'mergedrefs'), 'utf8');
      for (const line of text.split('\n')) {
        const [sha, ref] = line.split('\t');
        if (sha && ref) out.set(ref, sha);
      }
    } catch {
      // none yet
    }
    return out;
  }

  /**
   * Union-merges every ref ending in `/git-annex` that has commits the branch lacks. Returns the refs
   * merged. The journal is committed first so its content is not overwritten by the merge.
   */
  async update(): Promise<string[]> {
    return this.withJournalLock(async () => {
      await this.commitLocked('update', new Map());
      let tip = await this.ensure();
      const merged = await this.readMergedRefs();
      const ignored = await fsp
        .readFile(join(this.repo.annexdir, 'ignoredrefs'), 'utf8')
        .then((t) => new Set(t.split('\n')))
        .catch(() => new Set<string>());
      const batch = new ObjectBatch(this.repo.gitdir);
      let tree = await commitTree(this.repo.git, tip);
      const parents: string[] = [];
      const names: string[] = [];
      const seen = new Map<string, string>();
      this.refused = [];
      for (const ref of await this.annexRefs()) {
        if (ignored.has(ref)) continue;
        const sha = await resolveRef(this.repo.git, ref);
        if (!sha) continue;
        if (merged.get(ref) === sha) continue;
        try {
          if (await isAncestor(this.repo.git, sha, tip)) {
            seen.set(ref, sha);
            continue;
          }
          if (parents.includes(sha)) continue;
          const theirTree = await commitTree(this.repo.git, sha);
          // every tree their side brings is read (and so checked) before the branch moves, and
          // the top-level logs (read whole: uuid.log, trust.log...) are held to their size: one
          // too big is left as ours is, the rest merged, and the ref reported
          await readNewTrees(this.repo.git, tree, theirTree);
          const oversized = await oversizedTopLogs(this.repo.git, tree, theirTree);
          const problems = [...oversized.values()];
          if (
            oversized.size === 0 &&
            parents.length === 0 &&
            (await isAncestor(this.repo.git, tip, sha))
          ) {
            tip = sha;
            tree = theirTree;
            names.push(ref);
            seen.set(ref, sha);
            continue;
          }
          const unioned = await unionTrees(this.repo.git, batch, tree, theirTree, {
            skip: new Set(oversized.keys()),
            problems,
          });
          for (const reason of problems)
            this.refused.push({ ref, reason: `${reason}; it was left out and the rest merged` });
          seen.set(ref, sha);
          // Nothing new in it (two clones that merged each other's merges): record it as merged
          // without a commit, or the two would trade merge commits for ever.
          if (unioned === tree) continue;
          tree = unioned;
          // the next ref's merge reads this tree back: write it now
          await batch.flush();
          parents.push(sha);
          names.push(ref.replace(/^refs\/(remotes\/|heads\/)?/, ''));
        } catch (e) {
          // A bad object on one ref fails that ref alone; it is tried again at the next update.
          this.refused.push({ ref, reason: errorMessage(e) });
        }
      }
      const before = await this.tip();
      if (parents.length > 0) {
        const commit = await addCommit(
          this.repo.git,
          batch,
          tree,
          [tip, ...parents],
          `merging ${names.join(' ')} into git-annex`,
        );
        await batch.flush();
        tip = commit;
      }
      if (tip !== before) await this.setTip(tip, before);
      if (seen.size > 0) {
        for (const [ref, sha] of seen) merged.set(ref, sha);
        const text = [...merged].map(([ref, sha]) => `${sha}\t${ref}\n`).join('');
        await fsp.writeFile(join(this.repo.annexdir, 'mergedrefs'), text);
      }
      return names;
    });
  }

  /**
   * Moves the branch from `expected` to `commit`. A clone that pushed into this repository's
   * git-annex branch meanwhile (as git annex sync does) moved it on: then the two are
   * union-merged, as git-annex merges its branch, so neither side's lines are lost.
   */
  private async setTip(commit: string, expected: string | undefined): Promise<void> {
    let ours = commit;
    let base = expected;
    for (let attempt = 0; attempt < 10; attempt++) {
      if (await tryUpdateRef(this.repo.git, ANNEX_BRANCH, ours, base)) return;
      const moved = await this.tip();
      if (!moved) break;
      base = moved;
      if (await isAncestor(this.repo.git, moved, ours)) continue; // ours already holds it
      const batch = new ObjectBatch(this.repo.gitdir);
      const ourTree = await commitTree(this.repo.git, ours);
      const tree = await unionTrees(
        this.repo.git,
        batch,
        ourTree,
        await commitTree(this.repo.git, moved),
      );
      ours = await addCommit(this.repo.git, batch, tree, [moved, ours], 'update');
      await batch.flush();
    }
    throw new FerryError('git-error', `${ANNEX_BRANCH} keeps moving while Ferry updates it`, {
      ref: ANNEX_BRANCH,
    });
  }
}
