/**
 * Names git-annex derives from keys: keyFile escaping, the two hash-directory schemes,
 * object, location-log, journal and pointer paths.
 */
import { createHash } from 'node:crypto';
import { isUsableKey, unchunkedKey } from './key';

/** `&`→`&a`, `%`→`&s`, `:`→`&c`, `/`→`%`, applied only when the key holds one of them. */
export function keyFile(key: string): string {
  if (!/[&%:/]/.test(key)) return key;
  let out = '';
  for (const ch of key) {
    if (ch === '&') out += '&a';
    else if (ch === '%') out += '&s';
    else if (ch === ':') out += '&c';
    else if (ch === '/') out += '%';
    else out += ch;
  }
  return out;
}

/** The inverse of keyFile. */
export function fileKey(file: string): string {
  if (!/[&%]/.test(file)) return file;
  let out = '';
  for (let i = 0; i < file.length; i++) {
    const ch = file[i];
    if (ch === '%') out += '/';
    else if (ch === '&') {
      const next = file[i + 1];
      i++;
      if (next === 'a') out += '&';
      else if (next === 's') out += '%';
      else if (next === 'c') out += ':';
      else out += `&${next ?? ''}`;
    } else out += ch;
  }
  return out;
}

/** Recent keys' digests: a transfer looks its key's folders up several times. */
const digests = new Map<string, Buffer>();

function md5(text: string): Buffer {
  const known = digests.get(text);
  if (known) return known;
  const digest = createHash('md5').update(text, 'utf8').digest();
  if (digests.size >= 8192) digests.clear();
  digests.set(text, digest);
  return digest;
}

/** `abc/def/` from the md5 of the key: the git-annex branch, bare repositories, special remotes. */
export function hashDirLower(key: string): string {
  const h = md5(unchunkedKey(key)).toString('hex');
  return `${h.slice(0, 3)}/${h.slice(3, 6)}/`;
}

const MIXED_ALPHABET = '0123456789zqjxkmvwgpfZQJXKMVWGPF';

/** `Ab/Cd/`: the objects directory of non-bare repositories (shift 6, mask 31, pairs swapped). */
export function hashDirMixed(key: string): string {
  const word = md5(unchunkedKey(key)).readUInt32LE(0);
  const c: string[] = [];
  for (let x = 0; x < 8; x++) c.push(MIXED_ALPHABET[(word >>> (6 * x)) & 31] ?? '0');
  const s = `${c[1]}${c[0]}${c[3]}${c[2]}`;
  return `${s.slice(0, 2)}/${s.slice(2, 4)}/`;
}

/** Path of the location log in the git-annex branch. */
export function locationLogPath(key: string): string {
  return `${hashDirLower(key)}${keyFile(key)}.log`;
}

/** Object path relative to the annex directory (`.git/annex` or a bare repository's `annex`). */
export function objectRelPath(key: string, scheme: 'mixed' | 'lower'): string {
  const kf = keyFile(key);
  const dir = scheme === 'mixed' ? hashDirMixed(key) : hashDirLower(key);
  return `objects/${dir}${kf}/${kf}`;
}

/** Journal file name for a branch path: `/`→`_`, `_`→`__`. */
export function journalName(branchPath: string): string {
  return branchPath.replace(/_/g, '__').replace(/\//g, '_');
}

export function journalNameToPath(name: string): string {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const ch = name[i];
    if (ch === '_') {
      if (name[i + 1] === '_') {
        out += '_';
        i++;
      } else out += '/';
    } else out += ch;
  }
  return out;
}

/** Relative symlink target for a locked file at `workPath` (posix, relative to the top). */
export function symlinkTarget(workPath: string, key: string): string {
  const depth = workPath.split('/').length - 1;
  const kf = keyFile(key);
  return `${'../'.repeat(depth)}.git/annex/objects/${hashDirMixed(key)}${kf}/${kf}`;
}

/** The pointer blob of an unlocked file. */
export function pointerContent(key: string): string {
  return `/annex/objects/${keyFile(key)}\n`;
}

export const MAX_POINTER_BYTES = 32768;

/** The key a pointer file or blob names, or undefined if it is not a valid pointer. */
const POINTER_PREFIX = Buffer.from('/annex/objects/');

export function parsePointer(content: Uint8Array | string): string | undefined {
  if (typeof content !== 'string') {
    // most files are not pointers: told from their first bytes, without a copy of them all
    if (content.byteLength > MAX_POINTER_BYTES) return undefined;
    if (Buffer.compare(content.subarray(0, POINTER_PREFIX.length), POINTER_PREFIX) !== 0)
      return undefined;
  }
  const text =
    typeof content === 'string'
      ? content
      : Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('utf8');
  if (Buffer.byteLength(text) > MAX_POINTER_BYTES) return undefined;
  if (!text.startsWith('/annex/objects/')) return undefined;
  const lines = text.split('\n');
  let first = lines[0] ?? '';
  if (first.endsWith('\r')) first = first.slice(0, -1);
  const rest = lines.slice(1).filter((line) => line.length > 0);
  if (rest.length > 0) return undefined;
  const file = first.slice('/annex/objects/'.length);
  if (file.length === 0 || file.includes('/')) return undefined;
  const key = fileKey(file);
  return isUsableKey(key) ? key : undefined;
}

/** The key a symlink target names, if it points into an annex objects directory. */
export function parseSymlinkTarget(target: string): string | undefined {
  if (!target.includes('/annex/objects/')) return undefined;
  const last = target.slice(target.lastIndexOf('/') + 1);
  const key = last.length > 0 ? fileKey(last) : undefined;
  return key !== undefined && isUsableKey(key) ? key : undefined;
}
