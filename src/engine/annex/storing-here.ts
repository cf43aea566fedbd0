/**
 * Whether another process is storing content here for the repository `uuid` right now: one of
 * the lock files it holds in our `transfer/download/<uuid>/` (a clone on this machine, or a
 * drive's, sending a burst here from its assistant or `ferry copy`). A download from that
 * repository waits meanwhile, as it does for a device sending over the network: the content is
 * on its way, and fetching it too made both sides fight over the same files (a 1,000-file
 * burst between two local clones took 12 s instead of 8 with both moving it).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { lockHolder } from '../os/file-lock';
import { transferDir } from './transfer-info';

const LOOK_EVERY_MS = 500;
/** lock files looked at per look: one held is enough */
const LOOK_AT = 32;
const looked = new Map<string, { at: number; storing: boolean }>();

export function isStoringHere(annexdir: string, uuid: string, now = Date.now()): boolean {
  const id = `${annexdir}\n${uuid}`;
  const seen = looked.get(id);
  if (seen && now - seen.at < LOOK_EVERY_MS) return seen.storing;
  const dir = transferDir(annexdir, 'download', uuid);
  let storing = false;
  try {
    let n = 0;
    for (const name of readdirSync(dir)) {
      if (!name.startsWith('lck.')) continue;
      if (lockHolder(join(dir, name)) !== undefined) {
        storing = true;
        break;
      }
      if (++n >= LOOK_AT) break;
    }
  } catch {
    // no such folder: nothing is being stored here from there
  }
  if (looked.size > 1000) looked.clear();
  looked.set(id, { at: now, storing });
  return storing;
}
