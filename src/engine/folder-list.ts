/** The folders Ferry syncs, remembered across runs in `folders.json` in the state folder. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

function fileIn(stateDir: string | undefined): string | undefined {
  return stateDir ? resolve(stateDir, 'folders.json') : undefined;
}

/** The saved folders (none when there is no state folder, or it cannot be read: `log` says so). */
export function savedFolders(stateDir: string | undefined, log: (m: string) => void): string[] {
  const file = fileIn(stateDir);
  if (!file || !existsSync(file)) return [];
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as string[];
  } catch {
    log(`${file} is not readable JSON; starting with no saved folders`);
    return [];
  }
}

export function saveFolders(stateDir: string | undefined, folders: readonly string[]): void {
  const file = fileIn(stateDir);
  if (!file) return;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(folders, null, 2)}\n`);
}
