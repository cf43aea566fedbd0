/** OpenPGP packet framing (RFC 4880 4.2): old and new headers, partial body lengths, as streams. */
import { FerryError } from '../errors';

export function bad(message: string): FerryError {
  return new FerryError('bad-object', `encrypted object: ${message}`);
}

/** Pulls exact byte counts out of a stream of chunks. */
export class Reader {
  private buf: Buffer = Buffer.alloc(0);
  private done = false;
  private readonly it: AsyncIterator<Buffer>;

  constructor(source: AsyncIterable<Buffer>) {
    this.it = source[Symbol.asyncIterator]();
  }

  private async fill(n: number): Promise<boolean> {
    while (this.buf.length < n && !this.done) {
      const next = await this.it.next();
      if (next.done) this.done = true;
      else this.buf = this.buf.length === 0 ? next.value : Buffer.concat([this.buf, next.value]);
    }
    return this.buf.length >= n;
  }

  async atEnd(): Promise<boolean> {
    return !(await this.fill(1));
  }

  async take(n: number): Promise<Buffer> {
    if (!(await this.fill(n))) throw bad('it ends too early');
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** up to `max` bytes, at least one (undefined at the end) */
  async some(max: number): Promise<Buffer | undefined> {
    if (!(await this.fill(1))) return undefined;
    const out = this.buf.subarray(0, Math.min(max, this.buf.length));
    this.buf = this.buf.subarray(out.length);
    return out;
  }

  async byte(): Promise<number> {
    return (await this.take(1))[0] ?? 0;
  }
}

export interface Packet {
  readonly tag: number;
  readonly body: AsyncGenerator<Buffer>;
}

/** The next packet's tag and its body as a stream (partial lengths joined). */
export async function nextPacket(r: Reader): Promise<Packet | undefined> {
  if (await r.atEnd()) return undefined;
  const ctb = await r.byte();
  if ((ctb & 0x80) === 0) throw bad('not an OpenPGP packet');
  if ((ctb & 0x40) === 0) {
    const tag = (ctb >> 2) & 15;
    const lt = ctb & 3;
    if (lt === 3) return { tag, body: readAll(r) };
    const lenBytes = await r.take(1 << lt);
    return { tag, body: readExactly(r, lenBytes.readUIntBE(0, lenBytes.length)) };
  }
  return { tag: ctb & 0x3f, body: readNewBody(r) };
}

async function* readExactly(r: Reader, n: number): AsyncGenerator<Buffer> {
  while (n > 0) {
    const b = await r.some(Math.min(n, 1 << 20));
    if (!b) throw bad('it ends too early');
    n -= b.length;
    yield b;
  }
}

export async function* readAll(r: Reader): AsyncGenerator<Buffer> {
  for (let b = await r.some(1 << 20); b; b = await r.some(1 << 20)) yield b;
}

async function* readNewBody(r: Reader): AsyncGenerator<Buffer> {
  for (;;) {
    const first = await r.byte();
    if (first >= 224 && first < 255) {
      yield* readExactly(r, 1 << (first & 0x1f));
      continue;
    }
    const length =
      first < 192
        ? first
        : first < 224
          ? ((first - 192) << 8) + (await r.byte()) + 192
          : (await r.take(4)).readUInt32BE(0);
    yield* readExactly(r, length);
    return;
  }
}

export async function collect(body: AsyncIterable<Buffer>, max: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const b of body) {
    n += b.length;
    if (n > max) throw bad('a header packet is too long');
    parts.push(b);
  }
  return Buffer.concat(parts);
}
