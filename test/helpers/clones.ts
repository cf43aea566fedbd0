/** Several clones of one Ferry repository wired as remotes of each other. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ferryOk, git } from './repos';

/** Star: A is everyone's origin; A has every other clone as a remote. */
export async function starClones(
  root: string,
  names: readonly string[],
): Promise<Record<string, string>> {
  const [hub, ...leaves] = names;
  if (!hub) throw new Error('no clones');
  const paths: Record<string, string> = {};
  const a = join(root, hub);
  mkdirSync(a);
  writeFileSync(join(a, 'README.txt'), 'shared\n');
  await ferryOk(a, 'init', hub);
  await ferryOk(a, 'add', '.');
  paths[hub] = a;
  for (const name of leaves) {
    const p = join(root, name);
    git(root, 'clone', '-q', a, p);
    await ferryOk(p, 'init', name);
    git(a, 'remote', 'add', name, p);
    paths[name] = p;
  }
  return paths;
}

export function headTree(dir: string): string {
  return git(dir, 'rev-parse', 'HEAD^{tree}').trim();
}

export function lsTree(dir: string): string[] {
  return git(dir, 'ls-tree', '-r', '--name-only', '-z', 'HEAD').split('\0').filter(Boolean).sort();
}

export function copyTree(from: string, to: string): void {
  execFileSync('cp', ['-a', from, to]);
}
