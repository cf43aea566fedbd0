/**
 * OpenPGP symmetric encryption (RFC 4880) as `gpg --symmetric --force-mdc` writes and reads it:
 * the content format of git-annex's `encryption=shared` remotes. Streams both ways, in bounded
 * memory, on node:crypto and node:zlib.
 *
 * Written: a SKESK v4 packet (AES-256, iterated and salted S2K over SHA-1, a fresh salt per
 * message) and a SEIPD v1 packet (CFB with the random prefix, an MDC) holding an uncompressed
 * literal packet, lengths as partial bodies. gpg uses an S2K count of 65,011,712 bytes; Ferry
 * writes 65,536: the count slows guessing a weak password, and this passphrase is 428 random
 * base64 characters (2,568 bits), so the count buys nothing and would cost ~100 ms per object.
 * Read: any SKESK v4 (S2K simple, salted, iterated; SHA-1/SHA-2; with or without an encrypted
 * session key), AES-128/192/256, SEIPD v1 with its MDC checked, compression none, ZIP or ZLIB.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { createInflate, createInflateRaw } from 'node:zlib';
import { bad, collect, nextPacket, readAll, Reader } from './openpgp-packets';

const TAG_SKESK = 3;
const TAG_COMPRESSED = 8;
const TAG_LITERAL = 11;
const TAG_SEIPD = 18;
const TAG_MDC = 19;
const AES: Readonly<Record<number, { name: string; keyLen: number }>> = {
  7: { name: 'aes-128-cfb', keyLen: 16 },
  8: { name: 'aes-192-cfb', keyLen: 24 },
  9: { name: 'aes-256-cfb', keyLen: 32 },
};
const HASHES: Readonly<Record<number, string>> = {
  2: 'sha1',
  8: 'sha256',
  9: 'sha384',
  10: 'sha512',
  11: 'sha224',
};
const WRITE_COUNT_BYTE = 0x60; // (16 + 0) << (6 + 6) = 65,536 bytes
const PIECE = 1 << 16; // partial body length pieces written

function s2kCount(c: number): number {
  return (16 + (c & 15)) << ((c >> 4) + 6);
}

/** The key an S2K specifier derives from the passphrase (RFC 4880 3.7.1). */
function deriveKey(
  mode: number,
  hash: string,
  salt: Buffer,
  count: number,
  pass: Buffer,
  keyLen: number,
): Buffer {
  const data = mode === 0 ? pass : Buffer.concat([salt, pass]);
  const total = mode === 3 ? Math.max(count, data.length) : data.length;
  const parts: Buffer[] = [];
  let have = 0;
  for (let i = 0; have < keyLen; i++) {
    const h = createHash(hash);
    h.update(Buffer.alloc(i));
    if (mode === 3) {
      const reps = Math.max(1, Math.floor((1 << 20) / data.length));
      const block = Buffer.alloc(Math.min(total, reps * data.length));
      for (let o = 0; o < block.length; o += data.length)
        data.copy(block, o, 0, Math.min(data.length, block.length - o));
      let left = total;
      while (left > 0) {
        const n = Math.min(left, block.length);
        h.update(block.subarray(0, n));
        left -= n;
      }
    } else h.update(data);
    const d = h.digest();
    parts.push(d);
    have += d.length;
  }
  return Buffer.concat(parts).subarray(0, keyLen);
}

// ---------- writing ----------

/** Bytes cut into partial-body pieces of 64 KiB, the last one with a definite length. */
class PartialBody {
  private buf: Buffer[] = [];
  private size = 0;

  constructor(private readonly tagByte: number) {}

  private started = false;

  *push(data: Buffer): Generator<Buffer> {
    this.buf.push(data);
    this.size += data.length;
    while (this.size > PIECE) {
      const all = Buffer.concat(this.buf);
      const head = this.started ? [] : [Buffer.from([this.tagByte])];
      this.started = true;
      yield Buffer.concat([...head, Buffer.from([0xe0 + 16]), all.subarray(0, PIECE)]);
      this.buf = [all.subarray(PIECE)];
      this.size = all.length - PIECE;
    }
  }

  end(): Buffer {
    const rest = Buffer.concat(this.buf);
    const head = this.started ? [] : [Buffer.from([this.tagByte])];
    return Buffer.concat([...head, definiteLength(rest.length), rest]);
  }
}

function definiteLength(n: number): Buffer {
  if (n < 192) return Buffer.from([n]);
  if (n < 8384) return Buffer.from([((n - 192) >> 8) + 192, (n - 192) & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = 0xff;
  b.writeUInt32BE(n, 1);
  return b;
}

/** Encrypts a stream for a passphrase, as `gpg --symmetric --force-mdc` would (see the top). */
export async function* encryptStream(
  plain: AsyncIterable<Buffer>,
  passphrase: string,
): AsyncGenerator<Buffer> {
  const salt = randomBytes(8);
  const key = deriveKey(
    3,
    'sha1',
    salt,
    s2kCount(WRITE_COUNT_BYTE),
    Buffer.from(passphrase, 'utf8'),
    32,
  );
  const skesk = Buffer.concat([Buffer.from([4, 9, 3, 2]), salt, Buffer.from([WRITE_COUNT_BYTE])]);
  yield Buffer.concat([Buffer.from([0xc0 | TAG_SKESK, skesk.length]), skesk]);

  const cipher = createCipheriv('aes-256-cfb', key, Buffer.alloc(16));
  const mdc = createHash('sha1');
  const outer = new PartialBody(0xc0 | TAG_SEIPD);
  const literal = new PartialBody(0xc0 | TAG_LITERAL);
  const prefix = randomBytes(16);
  const start = Buffer.concat([prefix, prefix.subarray(14, 16)]);
  const seal = (clear: Buffer): Buffer => {
    mdc.update(clear);
    return cipher.update(clear);
  };
  yield* outer.push(Buffer.concat([Buffer.from([1]), seal(start)]));
  // literal packet: binary, no file name, date 0
  for (const piece of literal.push(Buffer.from([0x62, 0, 0, 0, 0, 0])))
    yield* outer.push(seal(piece));
  for await (const chunk of plain) {
    for (const piece of literal.push(chunk)) yield* outer.push(seal(piece));
  }
  yield* outer.push(seal(literal.end()));
  mdc.update(Buffer.from([0xd3, 0x14]));
  yield* outer.push(cipher.update(Buffer.concat([Buffer.from([0xd3, 0x14]), mdc.digest()])));
  const final = cipher.final();
  if (final.length > 0) yield* outer.push(final);
  yield outer.end();
}

// ---------- reading ----------

/** The session key from a SKESK packet. */
function sessionKey(skesk: Buffer, pass: Buffer): { algo: number; key: Buffer } {
  if (skesk[0] !== 4) throw bad(`symmetric key packet version ${skesk[0]} is not supported`);
  const algo = skesk[1] ?? 0;
  const mode = skesk[2] ?? 0;
  const hash = HASHES[skesk[3] ?? 0];
  const aes = AES[algo];
  if (!aes) throw bad(`cipher ${algo} is not supported (AES only)`);
  if (!hash || ![0, 1, 3].includes(mode)) throw bad(`S2K ${mode}/${skesk[3]} is not supported`);
  const salt = mode === 0 ? Buffer.alloc(0) : skesk.subarray(4, 12);
  const at = mode === 0 ? 4 : mode === 1 ? 12 : 13;
  const count = mode === 3 ? s2kCount(skesk[12] ?? 0) : 0;
  const kek = deriveKey(mode, hash, salt, count, pass, aes.keyLen);
  const esk = skesk.subarray(at);
  if (esk.length === 0) return { algo, key: kek };
  const d = createDecipheriv(aes.name, kek, Buffer.alloc(16));
  const plain = Buffer.concat([d.update(esk), d.final()]);
  const inner = AES[plain[0] ?? 0];
  if (!inner || plain.length !== inner.keyLen + 1) throw bad('the passphrase does not open it');
  return { algo: plain[0] ?? 0, key: plain.subarray(1) };
}

/** Decrypts a SEIPD body, checks the prefix and the MDC, and yields the clear packets' bytes. */
async function* openSeipd(
  body: AsyncIterable<Buffer>,
  s: { algo: number; key: Buffer },
): AsyncGenerator<Buffer> {
  const aes = AES[s.algo];
  if (!aes) throw bad('unknown cipher');
  const d = createDecipheriv(aes.name, s.key, Buffer.alloc(16));
  const mdc = createHash('sha1');
  let version: number | undefined;
  let prefix: Buffer = Buffer.alloc(0);
  let tail: Buffer = Buffer.alloc(0); // the last 22 bytes are the MDC packet
  const emit = function* (clear: Buffer): Generator<Buffer> {
    let data = clear;
    if (prefix.length < 18) {
      const need = 18 - prefix.length;
      prefix = Buffer.concat([prefix, data.subarray(0, need)]);
      data = data.subarray(need);
      if (prefix.length === 18) {
        mdc.update(prefix);
        if (prefix[14] !== prefix[16] || prefix[15] !== prefix[17])
          throw bad('the passphrase does not open it');
      }
    }
    const all = tail.length ? Buffer.concat([tail, data]) : data;
    if (all.length <= 22) {
      tail = all;
      return;
    }
    const out = all.subarray(0, all.length - 22);
    tail = all.subarray(all.length - 22);
    mdc.update(out);
    yield out;
  };
  for await (const chunk of body) {
    let c = chunk;
    if (version === undefined) {
      version = c[0];
      if (version !== 1) throw bad(`encrypted packet version ${version} is not supported`);
      c = c.subarray(1);
    }
    yield* emit(d.update(c));
  }
  yield* emit(d.final());
  if (tail.length !== 22 || tail[0] !== 0xd3 || tail[1] !== 0x14)
    throw bad('its integrity check (MDC) is missing');
  mdc.update(tail.subarray(0, 2));
  if (!mdc.digest().equals(tail.subarray(2))) throw bad('its integrity check (MDC) failed');
}

async function* inflate(body: AsyncIterable<Buffer>, raw: boolean): AsyncGenerator<Buffer> {
  const z = raw ? createInflateRaw() : createInflate();
  const out: Buffer[] = [];
  let failed: Error | undefined;
  z.on('data', (b: Buffer) => out.push(b));
  z.on('error', (e) => (failed = e));
  for await (const chunk of body) {
    if (!z.write(chunk)) await new Promise((r) => z.once('drain', r));
    if (failed) throw bad(`its compressed data is corrupt (${failed.message})`);
    yield* out.splice(0);
  }
  await new Promise<void>((resolve) => z.end(resolve));
  if (failed) throw bad(`its compressed data is corrupt (${failed.message})`);
  yield* out.splice(0);
}

/** The literal data of a message's clear packets (through a compressed packet if any). */
async function* literalData(clear: AsyncIterable<Buffer>, depth = 0): AsyncGenerator<Buffer> {
  const r = new Reader(clear);
  let seen = false;
  for (let p = await nextPacket(r); p; p = await nextPacket(r)) {
    if (p.tag === TAG_LITERAL) {
      if (seen) throw bad('it holds more than one file');
      seen = true;
      const head = new Reader(p.body);
      await head.take(1);
      const nameLen = await head.byte();
      await head.take(nameLen + 4);
      yield* readAll(head);
    } else if (p.tag === TAG_COMPRESSED && depth === 0) {
      const zr = new Reader(p.body);
      const algo = await zr.byte();
      const rest = readAll(zr);
      if (algo === 0) yield* literalData(rest, 1);
      else if (algo === 1 || algo === 2) yield* literalData(inflate(rest, algo === 1), 1);
      else throw bad(`compression ${algo} is not supported`);
      seen = true;
    } else if (p.tag === TAG_MDC) {
      throw bad('unexpected integrity packet');
    } else {
      for await (const _ of p.body) void _; // markers, signatures: skipped
    }
  }
  if (!seen) throw bad('it holds no data');
}

/** Decrypts a message `gpg --symmetric` (or Ferry) wrote for this passphrase. */
export async function* decryptStream(
  encrypted: AsyncIterable<Buffer>,
  passphrase: string,
): AsyncGenerator<Buffer> {
  const r = new Reader(encrypted);
  const pass = Buffer.from(passphrase, 'utf8');
  const keys: { algo: number; key: Buffer }[] = [];
  for (let p = await nextPacket(r); p; p = await nextPacket(r)) {
    if (p.tag === TAG_SKESK) keys.push(sessionKey(await collect(p.body, 1024), pass));
    else if (p.tag === TAG_SEIPD) {
      const key = keys[0];
      if (!key) throw bad('no symmetric key packet comes before the data');
      yield* literalData(openSeipd(p.body, key));
      return;
    } else if (p.tag === 9) throw bad('it has no integrity check (old format), refused');
    else if (p.tag === 1)
      throw bad('it is encrypted to a public key (hybrid or pubkey), not supported yet');
    else if (p.tag === 20) throw bad('AEAD encryption is not supported yet');
    else for await (const _ of p.body) void _;
  }
  throw bad('it holds no encrypted data');
}
