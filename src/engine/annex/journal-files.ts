/**
 * The journal's files, read and written with direct system calls: a few small calls each, which
 * cost less than waiting in the thread pool's queue behind transfers' reads and writes (a burst
 * of received files spent most of its time there).
 */
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { errnoCode } from '../errors';
import { makeParentDirs } from '../os/safe-path';
import { MAX_LOG_BYTES, tooLarge } from './branch-union';
import { journalName } from './paths';

/** Drops an incomplete last line (anything after the final newline). */
export function completeLines(text: string): string {
  const nl = text.lastIndexOf('\n');
  return nl < 0 ? '' : text.slice(0, nl + 1);
}

/** The journal's copy of branch file `path`, or undefined when it has none. */
export function readJournalFile(journalDir: string, path: string): string | undefined {
  let fd: number;
  try {
    // A journal file is a regular file of its own: a link (a remote's, to some secret) is not
    // followed, and is taken as no journal at all.
    fd = openSync(join(journalDir, journalName(path)), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT' || code === 'ELOOP') return undefined;
    throw e;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return undefined;
    if (st.size > MAX_LOG_BYTES) throw tooLarge(path, st.size);
    return completeLines(readFileSync(fd, 'utf8'));
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes branch file `path` into the journal (a temp file in othertmp/, renamed over). The two
 * folders are checked once per `ready` (one hold of the journal lock): git-annex empties and
 * removes othertmp/ when a command starts (it holds no lock we take for that), so a write that
 * finds it gone makes it again and tries again.
 */
export async function writeJournalFile(
  annexdir: string,
  path: string,
  content: string,
  ready: { dirs: boolean },
): Promise<void> {
  const othertmp = join(annexdir, 'othertmp');
  for (let attempt = 1; ; attempt++) {
    if (!ready.dirs) {
      // made or checked one folder at a time: a remote's othertmp or journal may be a link
      await makeParentDirs(annexdir, 'othertmp/x');
      await makeParentDirs(annexdir, 'journal/x');
      ready.dirs = true;
    }
    const tmp = join(othertmp, `journal.${process.pid}.${Math.random().toString(36).slice(2)}`);
    try {
      writeFileSync(tmp, content, { flag: 'wx' });
      renameSync(tmp, join(annexdir, 'journal', journalName(path)));
      return;
    } catch (e) {
      rmSync(tmp, { force: true });
      ready.dirs = false;
      if (errnoCode(e) !== 'ENOENT' || attempt >= 5) throw e;
    }
  }
}
