/**
 * The conflict inbox: the versions of a file that a merge kept under variant names
 * (`photo.variant-1a2b.jpg`, `notes.variant-git-0c1d2e3f.txt`), grouped by the name they share,
 * read from the index so the list lasts as long as the conflict does. Resolving one is a change
 * to the work tree the assistant commits like any other: keep one version under the shared name
 * (the others are removed; their content stays in the store and in the history), or keep them
 * all under names the user picks, in the same folder.
 */
import { lstatSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Repository } from './annex/repository';
import { FerryError } from './errors';
import { readIndex } from './git/index-file';
import { hasSafeParents } from './os/safe-path';
import type { ConflictGroup, ConflictVersion } from '../shared/types';

const VARIANT = /^(.*)\.variant-(?:git-[0-9a-f]{8}|[0-9a-f]{4})(\.[^./]*)?$/;

/** The name a variant's versions share, or undefined for a path that is no variant. */
export function sharedName(path: string): string | undefined {
  const slash = path.lastIndexOf('/');
  const m = VARIANT.exec(path.slice(slash + 1));
  if (!m) return undefined;
  return `${path.slice(0, slash + 1)}${m[1] ?? ''}${m[2] ?? ''}`;
}

/** Every conflict in the folder's index, by shared name. */
export async function listConflicts(repo: Repository): Promise<ConflictGroup[]> {
  if (repo.isBare) return [];
  const groups = new Map<string, string[]>();
  for (const e of await readIndex(repo.gitdir).catch(() => [])) {
    const name = sharedName(e.path);
    if (name === undefined) continue;
    groups.set(name, [...(groups.get(name) ?? []), e.path]);
  }
  return [...groups].map(([path, variants]) => ({
    path,
    variants: variants.sort().map((v) => versionOf(repo, v)),
  }));
}

function versionOf(repo: Repository, path: string): ConflictVersion {
  try {
    const st = statSync(join(repo.top, path)); // a locked file: its content, when here
    return { path, size: st.size, modifiedAt: Math.round(st.mtimeMs) };
  } catch {
    return { path, size: null, modifiedAt: null };
  }
}

function exists(abs: string): boolean {
  try {
    lstatSync(abs);
    return true;
  } catch {
    return false;
  }
}

async function groupOf(repo: Repository, path: string): Promise<ConflictGroup> {
  const group = (await listConflicts(repo)).find((g) => g.path === path);
  if (!group) throw new FerryError('not-found', `${path} has no conflict in ${repo.top}`);
  if (!hasSafeParents(repo.top, path))
    throw new FerryError('unsafe-path', `${path} is behind a link; resolve it by hand`);
  return group;
}

/** Where one version of a conflict is, checked to be one (for opening it). */
export async function versionPath(
  repo: Repository,
  path: string,
  variant: string,
): Promise<string> {
  const group = await groupOf(repo, path);
  if (!group.variants.some((v) => v.path === variant))
    throw new FerryError('not-found', `${variant} is not a version of ${path}`);
  return join(repo.top, variant);
}

/** Keeps `variant` under the shared name and removes the other versions from the work tree. */
export async function keepVersion(repo: Repository, path: string, variant: string): Promise<void> {
  const group = await groupOf(repo, path);
  const names = group.variants.map((v) => v.path);
  if (!names.includes(variant))
    throw new FerryError('not-found', `${variant} is not a version of ${path}`);
  const target = join(repo.top, path);
  if (exists(target))
    throw new FerryError('usage', `${path} exists already: rename it or keep both versions`);
  renameSync(join(repo.top, variant), target);
  for (const v of names) if (v !== variant) rmSync(join(repo.top, v), { force: true });
}

/** Keeps every version, each under the name given for it (a file name in the same folder). */
export async function keepAll(
  repo: Repository,
  path: string,
  names: readonly { readonly variant: string; readonly name: string }[],
): Promise<void> {
  const group = await groupOf(repo, path);
  const versions = group.variants.map((v) => v.path);
  const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : '';
  const chosen = new Set<string>();
  for (const { variant, name } of names) {
    if (!versions.includes(variant))
      throw new FerryError('not-found', `${variant} is not a version of ${path}`);
    const clean = name.trim();
    if (clean === '' || clean === '.' || clean === '..' || /[/\0]/.test(clean) || clean === '.git')
      throw new FerryError('usage', `"${name}" is not a file name (no slashes; the same folder)`);
    const to = `${dir}${clean}`;
    if (chosen.has(to) || (to !== variant && exists(join(repo.top, to))))
      throw new FerryError('usage', `${to} is taken: pick another name`);
    chosen.add(to);
  }
  for (const { variant, name } of names) {
    const to = `${dir}${name.trim()}`;
    if (to !== variant) renameSync(join(repo.top, variant), join(repo.top, to));
  }
}
