/**
 * git-annex keys: `VARIETY[-sSIZE][-mMTIME][-SCHUNKSIZE-CCHUNKNUM]--NAME`.
 * Parsing accepts every variety; computing is offered for SHA256E (the default) and SHA256,
 * with the other hash varieties verifiable through node:crypto.
 */
import { createHash } from 'node:crypto';

export interface AnnexKey {
  readonly variety: string;
  readonly size?: number;
  readonly mtime?: number;
  readonly chunkSize?: number;
  readonly chunkNum?: number;
  readonly name: string;
}

export type Backend = 'SHA256E' | 'SHA256';

const FIELD_ORDER = ['s', 'm', 'S', 'C'] as const;

/** Parses a serialized key; returns undefined for anything git-annex would reject. */
export function parseKey(text: string): AnnexKey | undefined {
  const sep = text.indexOf('--');
  if (sep <= 0) return undefined;
  const head = text.slice(0, sep);
  const name = text.slice(sep + 2);
  if (name.length === 0 && !head.startsWith('URL')) {
    // git-annex accepts an empty name only for some URL keys; treat the rest as invalid.
    return undefined;
  }
  const parts = head.split('-');
  const variety = parts[0];
  if (!variety || !/^[A-Za-z0-9_]+$/.test(variety)) return undefined;
  const key: {
    variety: string;
    size?: number;
    mtime?: number;
    chunkSize?: number;
    chunkNum?: number;
    name: string;
  } = { variety, name };
  let orderIndex = 0;
  for (const field of parts.slice(1)) {
    const letter = field[0];
    const digits = field.slice(1);
    if (!letter || !/^[0-9]+$/.test(digits)) return undefined;
    const at = FIELD_ORDER.indexOf(letter as (typeof FIELD_ORDER)[number]);
    if (at < orderIndex) return undefined;
    orderIndex = at + 1;
    const value = Number(digits);
    if (!Number.isSafeInteger(value)) return undefined;
    if (letter === 's') key.size = value;
    else if (letter === 'm') key.mtime = value;
    else if (letter === 'S') key.chunkSize = value;
    else key.chunkNum = value;
  }
  if ((key.chunkSize === undefined) !== (key.chunkNum === undefined)) return undefined;
  if (variety.endsWith('E') && hashAlgorithm(variety)) {
    const dot = name.indexOf('.');
    if (dot >= 0 && Buffer.byteLength(name.slice(dot)) > 65) return undefined;
  }
  return key;
}

/**
 * Whether a key that came from elsewhere (a pointer, a symlink, a log, a message) may be used to
 * name files: it parses, holds no control character, and its file name (keyFile) fits in one
 * path component. Nothing is looked up on disk for a key that fails this.
 */
export function isUsableKey(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  if (text.length === 0 || /[\u0000-\u001f\u007f]/.test(text)) return false;
  if (Buffer.byteLength(text) > 240) return false; // keyFile escapes grow it; NAME_MAX is 255
  return parseKey(text) !== undefined;
}

export function formatKey(key: AnnexKey): string {
  let out = key.variety;
  if (key.size !== undefined) out += `-s${key.size}`;
  if (key.mtime !== undefined) out += `-m${key.mtime}`;
  if (key.chunkSize !== undefined && key.chunkNum !== undefined) {
    out += `-S${key.chunkSize}-C${key.chunkNum}`;
  }
  return `${out}--${key.name}`;
}

/** The key with any chunk fields removed: what both hash-directory schemes hash. */
export function unchunkedKey(text: string): string {
  const key = parseKey(text);
  if (!key || key.chunkSize === undefined) return text;
  return formatKey({ variety: key.variety, size: key.size, mtime: key.mtime, name: key.name });
}

const HASHES: Readonly<Record<string, string>> = {
  SHA256: 'sha256',
  SHA512: 'sha512',
  SHA384: 'sha384',
  SHA224: 'sha224',
  SHA1: 'sha1',
  MD5: 'md5',
  SHA3_256: 'sha3-256',
  SHA3_512: 'sha3-512',
  SHA3_384: 'sha3-384',
  SHA3_224: 'sha3-224',
  BLAKE2B512: 'blake2b512',
  BLAKE2S256: 'blake2s256',
};

/** The node:crypto algorithm that verifies keys of this variety, if any (WORM and URL have none). */
export function hashAlgorithm(variety: string): string | undefined {
  const base = variety.endsWith('E') ? variety.slice(0, -1) : variety;
  return HASHES[base];
}

/** The hex digest a verifiable key expects (its name, without the extension for E varieties). */
export function expectedDigest(key: AnnexKey): string | undefined {
  if (!hashAlgorithm(key.variety)) return undefined;
  if (!key.variety.endsWith('E')) return key.name;
  const dot = key.name.indexOf('.');
  return dot < 0 ? key.name : key.name.slice(0, dot);
}

export function isVerifiable(key: AnnexKey): boolean {
  return hashAlgorithm(key.variety) !== undefined;
}

export interface ExtensionOptions {
  /** `annex.maxextensionlength`, default 4 bytes per segment. */
  readonly maxSegmentBytes?: number;
  /** At most this many segments (git-annex: 2). */
  readonly maxSegments?: number;
}

function isValidExtensionSegment(segment: string): boolean {
  for (const byte of Buffer.from(segment, 'utf8')) {
    const isAlnum =
      (byte >= 0x30 && byte <= 0x39) ||
      (byte >= 0x41 && byte <= 0x5a) ||
      (byte >= 0x61 && byte <= 0x7a);
    if (!isAlnum && byte !== 0x2e && byte < 0x80) return false;
  }
  return true;
}

/** The extension SHA256E-style keys carry for a file name (see the compat spec, section 2.2). */
export function keyExtension(fileName: string, options: ExtensionOptions = {}): string {
  const maxBytes = options.maxSegmentBytes ?? 4;
  const maxSegments = options.maxSegments ?? 2;
  const slash = fileName.lastIndexOf('/');
  const base = fileName.slice(slash + 1).replace(/^\.+/, '');
  const dot = base.indexOf('.');
  if (dot < 0) return '';
  const segments = base.slice(dot).split('.');
  const taken: string[] = [];
  for (let i = segments.length - 1; i >= 0; i--) {
    const segment = segments[i] ?? '';
    if (Buffer.byteLength(segment, 'utf8') > maxBytes) break;
    taken.unshift(segment);
  }
  const kept = taken.filter((s) => s.length > 0 && isValidExtensionSegment(s)).slice(-maxSegments);
  return kept.length === 0 ? '' : `.${kept.join('.')}`;
}

/** Builds the key for content whose sha256 hex digest and size are known. */
export function makeKey(
  backend: Backend,
  fileName: string,
  digestHex: string,
  size: number,
): string {
  const name = backend === 'SHA256E' ? digestHex + keyExtension(fileName) : digestHex;
  return formatKey({ variety: backend, size, name });
}

/** The key of a buffer, for tests and small content. */
export function keyOfBuffer(backend: Backend, fileName: string, content: Uint8Array): string {
  const digest = createHash('sha256').update(content).digest('hex');
  return makeKey(backend, fileName, digest, content.byteLength);
}

/** Sanitizes a work-tree path for WORM keys as git-annex does. */
export function wormName(relativePath: string): string {
  let out = '';
  for (const ch of relativePath) {
    if (/^[A-Za-z0-9.\-_/%:]$/.test(ch)) out += ch;
    else if (ch === ',') out += ',,';
    else out += `,${ch.codePointAt(0) ?? 0}`;
  }
  if (Buffer.byteLength(relativePath, 'utf8') <= 64) return out;
  const md5 = createHash('md5').update(relativePath, 'utf8').digest('hex');
  return `${Buffer.from(out, 'utf8').subarray(0, 31).toString('utf8')}-${md5}`;
}

export function makeWormKey(relativePath: string, size: number, mtimeSeconds: number): string {
  return formatKey({
    variety: 'WORM',
    size,
    mtime: Math.floor(mtimeSeconds),
    name: wormName(relativePath),
  });
}

/** The size a key records, if it records one. */
export function keySize(key: string): number | undefined {
  return parseKey(key)?.size;
}
