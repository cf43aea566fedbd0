/**
 * Paths inside a folder Ferry writes to (a work tree, an annex directory) that it must never
 * leave: every leading component has to be a real directory, not a symbolic link or a file. The
 * file system is asked about each component itself, so its own way of comparing names (case
 * folding, Unicode normalisation) decides what "the same name" is: on a case-insensitive volume
 * `EVIL` (a link) stops a later write to `evil/x`.
 */
import { lstatSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { errnoCode, FerryError } from '../errors';

function unsafe(top: string, rel: string, at: string, what: string): FerryError {
  return new FerryError(
    'unsafe-path',
    `${rel} is not written: ${at} is ${what}, and nothing is written through it`,
    { top, path: rel, at },
  );
}

function components(rel: string): string[] {
  return rel.split('/').filter((p) => p !== '');
}

/**
 * Creates the directories leading to `rel` under `top` one at a time, refusing any that exists
 * and is not a real directory. `top` itself is trusted.
 */
export function makeParentDirs(
  top: string,
  rel: string,
  /** folders already made or checked by this caller's run (one work-tree update) */
  known?: Set<string>,
): Promise<void> {
  try {
    makeParentDirsSync(top, rel, known);
    return Promise.resolve();
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}

function makeParentDirsSync(top: string, rel: string, known?: Set<string>): void {
  const parts = components(rel).slice(0, -1);
  let dir = top;
  let at = '';
  for (const part of parts) {
    dir = join(dir, part);
    at = at === '' ? part : `${at}/${part}`;
    if (known?.has(dir)) continue;
    // direct system calls: each is a lookup of a cached folder, cheaper than a pool round trip
    let st = lstatSync(dir, { throwIfNoEntry: false });
    if (!st) {
      // the first folder missing may mean `top` is too (a fresh annex): it is trusted, made whole
      if (dir === join(top, parts[0] ?? '')) mkdirSync(top, { recursive: true });
      try {
        mkdirSync(dir);
        known?.add(dir);
        continue;
      } catch (e) {
        if (errnoCode(e) !== 'EEXIST') throw e;
        st = lstatSync(dir);
      }
    }
    if (st.isSymbolicLink()) throw unsafe(top, rel, at, 'a symbolic link');
    if (!st.isDirectory()) throw unsafe(top, rel, at, 'not a directory');
    known?.add(dir);
  }
}

/**
 * Whether every existing leading component of `rel` under `top` is a real directory (missing
 * ones count as safe: nothing is there to follow). With `includeLast`, the last component must
 * also be a real directory or missing.
 */
export function hasSafeParents(top: string, rel: string, includeLast = false): boolean {
  try {
    assertSafeParents(top, rel, includeLast);
    return true;
  } catch {
    return false;
  }
}

/** Throws an `unsafe-path` error unless every existing leading component is a real directory. */
export function assertSafeParents(top: string, rel: string, includeLast = false): void {
  const all = components(rel);
  const parts = includeLast ? all : all.slice(0, -1);
  let dir = top;
  let at = '';
  for (const part of parts) {
    dir = join(dir, part);
    at = at === '' ? part : `${at}/${part}`;
    let st;
    try {
      st = lstatSync(dir);
    } catch {
      return;
    }
    if (st.isSymbolicLink()) throw unsafe(top, rel, at, 'a symbolic link');
    if (!st.isDirectory()) throw unsafe(top, rel, at, 'not a directory');
  }
}
