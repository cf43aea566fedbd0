/**
 * Repositories seen holding a key lately, told by the transfers themselves: the repository
 * that sent a key here had it, the remote a download came from has it. Their location logs say
 * so too, but only once their git-annex branch has been merged here; until then the planner
 * sent the key straight back where it came from (in a burst of 1,000 small files from a device,
 * about 400 went back to it). Kept in this process for a few minutes, and used only to hold an
 * upload back: never to count copies for a drop.
 */
const KEPT_MS = 5 * 60_000;
const MAX_ENTRIES = 50_000;

const seen = new Map<string, number>();

function id(annexdir: string, key: string, uuid: string): string {
  return `${annexdir}\n${key}\n${uuid}`;
}

/** `uuid` has `key` now (it sent it to the repository at `annexdir`, or was fetched from). */
export function noteHolder(annexdir: string, key: string, uuid: string): void {
  if (uuid === '') return;
  if (seen.size >= MAX_ENTRIES) {
    const now = Date.now();
    for (const [k, at] of seen) if (now - at > KEPT_MS) seen.delete(k);
    if (seen.size >= MAX_ENTRIES) seen.clear();
  }
  const at = id(annexdir, key, uuid);
  seen.delete(at); // newest last
  seen.set(at, Date.now());
}

/** how long after its last PUT a repository counts as sending content here */
export const SENDING_MS = 2000;
const sending = new Map<string, number>();

/**
 * `uuid` is storing content in the repository at `annexdir` now (a PUT of a burst): what it
 * sends need not be fetched from it meanwhile (a merge of its tree arrives before its content).
 */
export function noteSending(annexdir: string, uuid: string): void {
  if (uuid === '') return;
  if (sending.size > 1000) sending.clear();
  sending.set(`${annexdir}\n${uuid}`, Date.now());
}

/** Whether `uuid` stored content at `annexdir` within the last `SENDING_MS`. */
export function isSending(annexdir: string, uuid: string, now = Date.now()): boolean {
  const at = sending.get(`${annexdir}\n${uuid}`);
  return at !== undefined && now - at <= SENDING_MS;
}

/** Whether `uuid` was seen holding `key` within the last few minutes. */
export function isRecentHolder(annexdir: string, key: string, uuid: string): boolean {
  const at = seen.get(id(annexdir, key, uuid));
  return at !== undefined && Date.now() - at <= KEPT_MS;
}
