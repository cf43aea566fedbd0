/**
 * Listing work-tree files (skipping `.git` and gitignored paths) and finding the annexed files
 * the index knows about.
 */
import git from 'isomorphic-git';
import { promises as fsp } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { FerryError } from '../errors';
import { readIndex, type IndexEntry } from '../git/index-file';
import { readBlob } from '../git/read';
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
  options: { allowMissing?: boolean } = {},
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
      const entries = await fsp.readdir(abs, { withFileTypes: true });
      if (entries.some((e) => e.name === '.gitignore')) checkIgnores = true;
      for (const entry of entries) {
        if (entry.name === '.git') continue;
        const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
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
    if (
      checkIgnores &&
      (await git.isIgnored({ fs: repo.git.fs, dir: repo.top, gitdir: repo.gitdir, filepath: rel }))
    )
      continue;
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
  const out: AnnexedFile[] = [];
  for (const entry of await readIndex(repo.gitdir)) {
    if (entry.stage !== 0 || !under(entry.path)) continue;
    const isLink = (entry.mode & 0o170000) === 0o120000;
    if (!isLink && entry.mode !== 0o100644 && entry.mode !== 0o100755) continue;
    let blob: Uint8Array;
    try {
      blob = await readBlob(repo.git, entry.oid);
    } catch {
      continue;
    }
    if (!isLink && blob.byteLength > 32768) continue;
    const text = Buffer.from(blob).toString('utf8');
    const key = isLink ? parseSymlinkTarget(text) : parsePointer(text);
    if (key) out.push({ path: entry.path, key, isLocked: isLink, entry });
  }
  return out;
}
