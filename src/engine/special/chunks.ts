/**
 * git-annex's chunking of special remotes (`chunk=<size>`): a key is stored as chunk keys
 * `<key fields>-S<size>-C<n>--<name>` (1-based, the last one holding the rest; a key smaller
 * than a chunk is chunk 1), and the git-annex branch gains `<key>.log.cnk` beside its location
 * log: `<timestamp>s <remote-uuid>:<chunksize> <count>` (count 0: the chunks are gone).
 */
import type { AnnexBranch } from '../annex/branch';
import { formatKey, parseKey } from '../annex/key';
import { formatTimestamp, advanceClock, nowTimestamp } from '../annex/timestamp';
import { locationLogPath } from '../annex/paths';
import { parseMapLog } from '../annex/logs';
import { FerryError } from '../errors';

const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1 << 10,
  mib: 1 << 20,
  gib: 1 << 30,
  tib: 2 ** 40,
};

/** A size as git-annex reads one (`1MiB`, `8 MB`, `65536`); undefined when it is not one. */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? UNITS[(m[2] ?? '').toLowerCase()] : undefined;
  if (!m || unit === undefined) return undefined;
  const n = Math.round(Number(m[1]) * unit);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The chunk size a remote.log config asks for (`chunk=`, or the older `chunksize=`); 0: none. */
export function chunkSizeOf(fields: ReadonlyMap<string, string>, remote: string): number {
  const text = fields.get('chunk') ?? fields.get('chunksize');
  if (text === undefined) return 0;
  const size = parseSize(text);
  if (size === undefined || size < 0)
    throw new FerryError(
      'usage',
      `remote "${remote}": chunk=${text} is not a size (such as 8MiB)`,
      {
        remote,
      },
    );
  return size;
}

/** The chunk keys of `key` at `chunkSize`, with each one's length. */
export function chunkKeys(key: string, chunkSize: number): { key: string; length: number }[] {
  const k = parseKey(key);
  if (!k || k.size === undefined)
    throw new FerryError('invalid-key', `${key} has no size, so it cannot be chunked`, { key });
  const count = Math.max(1, Math.ceil(k.size / chunkSize));
  const out: { key: string; length: number }[] = [];
  for (let n = 1; n <= count; n++)
    out.push({
      key: formatKey({ ...k, chunkSize, chunkNum: n }),
      length: n < count ? chunkSize : k.size - chunkSize * (count - 1),
    });
  return out;
}

export function chunkLogPath(key: string): string {
  return `${locationLogPath(key)}.cnk`;
}

/** The chunkings of `key` the log records for a remote: chunk size → count (count > 0). */
export async function chunkingsOf(
  branch: AnnexBranch,
  key: string,
  uuid: string,
): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const [field, { value }] of parseMapLog(await branch.read(chunkLogPath(key)))) {
    const colon = field.lastIndexOf(':');
    if (field.slice(0, colon) !== uuid) continue;
    const size = Number(field.slice(colon + 1));
    const count = Number(value);
    if (Number.isSafeInteger(size) && size > 0 && Number.isSafeInteger(count) && count > 0)
      out.set(size, count);
  }
  return out;
}

/** Records that the remote holds `count` chunks of `chunkSize` (0: none any more). */
export async function recordChunks(
  branch: AnnexBranch,
  key: string,
  uuid: string,
  chunkSize: number,
  count: number,
): Promise<void> {
  const field = `${uuid}:${chunkSize}`;
  await branch.change(chunkLogPath(key), (old) => {
    const entries = parseMapLog(old);
    const prev = entries.get(field);
    if (prev?.value === String(count)) return undefined;
    const newest = [...entries.values()].reduce<bigint | undefined>(
      (m, e) => (m === undefined || e.time > m ? e.time : m),
      undefined,
    );
    entries.set(field, { value: String(count), time: advanceClock(nowTimestamp(), newest) });
    return [...entries].map(([f, e]) => `${formatTimestamp(e.time)} ${f} ${e.value}\n`).join('');
  });
}
