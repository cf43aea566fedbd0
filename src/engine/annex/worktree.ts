/**
 * Listing work-tree files (skipping `.git` and gitignored paths) and finding the annexed files
 * the index knows about.
 */
import { promises as fsp } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { errnoCode, FerryError } from '../errors';
import { badName } from '../git/fsck';
import { readIndex, type IndexEntry } from '../git/index-file';
import { isIgnored, readBlob } from '../git/read';
import { forEachLimit } from '../util/pool';
import { parsePointer, parseSymlinkTarget } from './paths';
import type { Repository } from './repository';

export function toRelative(repo: Repository, path: string): string {
  const rel = relative(repo.top, resolve(path));
  if (rel.startsWith('..'))
    throw new FerryError('usage', `${path} is outside the repository ${repo.top}`, { path });
  return rel.split(sep).join('/');
}

async function hasIgnoreRules(repo: Repository): Promise<boolean> {
  const exclude = await fsp.readFile(join(repo.gitdir, 'info', 'exclude'), 'utf8').catch(() => '');
  return exclude.split('\n').some((l) => l.trim() !== '' && !l.startsWith('#'));
}

/** Regular files and symlinks under the given paths, relative to the top, sorted. */
export async function listWorkFiles(
  repo: Repository,
  paths: readonly string[],
  options: {
    allowMissing?: boolean;
    /** directories that could not be read are skipped and listed here (as git warns and goes on) */
    skipped?: { path: string; message: string }[];
  } = {},
): Promise<string[]> {
  const out: string[] = [];
  let checkIgnores = await hasIgnoreRules(repo);
  const candidates: string[] = [];
  async function walk(rel: string): Promise<void> {
    const abs = rel === '' ? repo.top : join(repo.top, rel);
    let st;
    try {
      st = await fsp.lstat(abs);
    } catch (e) {
      if (options.allowMissing) return;
      throw new FerryError('usage', `${rel === '' ? '.' : rel} does not exist`, { path: rel }, e);
    }
    if (st.isDirectory()) {
      let entries;
      try {
        entries = await fsp.readdir(abs, { withFileTypes: true });
      } catch (e) {
        const code = errnoCode(e);
        if (code !== 'EACCES' && code !== 'EPERM' && code !== 'EIO') throw e;
        const shown = rel === '' ? '.' : rel;
        const why = code === 'EIO' ? 'it cannot be read (I/O error)' : 'permission denied';
        options.skipped?.push({ path: rel, message: `skipped ${shown}/: ${why}` });
        return;
      }
      if (entries.some((e) => e.name === '.gitignore')) checkIgnores = true;
      for (const entry of entries) {
        if (entry.name === '.git') continue;
        const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
        // a name git refuses (`.GIT`, `git~1`...) would make a tree every clone refuses: left out
        const refused = badName(entry.name);
        if (refused) {
          options.skipped?.push({
            path: child,
            message: `skipped ${child}: git does not accept ${refused}`,
          });
          continue;
        }
        if (entry.isDirectory()) await walk(child);
        else if (entry.isFile() || entry.isSymbolicLink()) candidates.push(child);
      }
    } else if (st.isFile() || st.isSymbolicLink()) {
      candidates.push(rel);
    }
  }
  for (const p of paths) {
    const rel = toRelative(repo, p);
    if (rel.split('/').includes('.git')) continue;
    await walk(rel);
  }
  for (const rel of candidates) {
    if (checkIgnores && (await isIgnored(repo.git, repo.top, rel))) continue;
    out.push(rel);
  }
  return [...new Set(out)].sort();
}

export interface AnnexedFile {
  readonly path: string;
  readonly key: string;
  readonly isLocked: boolean;
  readonly entry: IndexEntry;
}

/** Annexed files in the index (stage 0), optionally limited to paths under `prefixes`. */
export async function annexedFiles(
  repo: Repository,
  prefixes: readonly string[] = [],
): Promise<AnnexedFile[]> {
  const rels = prefixes.map((p) => toRelative(repo, p));
  const under = (path: string): boolean =>
    rels.length === 0 || rels.some((r) => r === '' || path === r || path.startsWith(`${r}/`));
  const entries = (await readIndex(repo.gitdir)).filter(
    (e) =>
      e.stage === 0 &&
      under(e.path) &&
      ((e.mode & 0o170000) === 0o120000 || e.mode === 0o100644 || e.mode === 0o100755),
  );
  // index order kept; blobs read several at a time (each read waits on the disk)
  const found: (AnnexedFile | undefined)[] = new Array<AnnexedFile | undefined>(entries.length);
  await forEachLimit(entries, 16, async (entry, i) => {
    const isLink = (entry.mode & 0o170000) === 0o120000;
    const key = await keyOfBlob(repo, entry.oid, isLink);
    if (key) found[i] = { path: entry.path, key, isLocked: isLink, entry };
  });
  return found.filter((f): f is AnnexedFile => f !== undefined);
}

/**
 * The annex key a blob names (a symlink target or a pointer file), or null. A blob never changes,
 * so what it names is remembered by its id: listing the annexed files of a big repository again
 * (the window's status, every few hundred milliseconds while things happen) reads no blob twice.
 */
const keysByBlob = new Map<string, string | null>();
const MAX_REMEMBERED_BLOBS = 500_000;

export async function keyOfBlob(
  repo: Repository,
  oid: string,
  isLink: boolean,
): Promise<string | null | undefined> {
  const cacheKey = isLink ? `l${oid}` : `p${oid}`;
  const known = keysByBlob.get(cacheKey);
  if (known !== undefined) return known;
  let blob: Uint8Array;
  try {
    blob = await readBlob(repo.git, oid);
  } catch {
    return undefined; // not readable now (a repository being written to): ask again next time
  }
  let key: string | null = null;
  if (isLink || blob.byteLength <= 32768) {
    const text = Buffer.from(blob).toString('utf8');
    key = (isLink ? parseSymlinkTarget(text) : parsePointer(text)) ?? null;
  }
  if (keysByBlob.size >= MAX_REMEMBERED_BLOBS) keysByBlob.clear();
  keysByBlob.set(cacheKey, key);
  return key;
}
