/**
 * Content that arrived for `file` (stored by another repository: a local clone's copy, a Ferry
 * device's or an ssh client's PUT) goes into the work tree when that file is unlocked and
 * still holds only its pointer. The name comes from the sender: only a plain relative path
 * inside the work tree is looked at, and only when the index says it is that key.
 */
import { lstat } from 'node:fs/promises';
import { isAbsolute, join, normalize } from 'node:path';
import { populateUnlocked } from './content';
import type { Repository } from './repository';
import { annexedFiles } from './worktree';

export async function populateArrived(repo: Repository, key: string, file: string): Promise<void> {
  if (repo.isBare || file === '' || isAbsolute(file)) return;
  const rel = normalize(file);
  if (rel.startsWith('..') || rel.split('/').includes('.git')) return;
  // only an unlocked file still holding its pointer gets the bytes: look before reading the index
  const st = await lstat(join(repo.top, rel)).catch(() => undefined);
  if (!st?.isFile() || st.size > 32768) return;
  const files = await annexedFiles(repo, [`${repo.top}/${rel}`]).catch(() => []);
  await populateUnlocked(
    repo,
    files.filter((f) => f.key === key),
  );
}
