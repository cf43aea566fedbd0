/**
 * Where a git pack ends in a byte stream that goes on after it (a push over a carrier that
 * stays open until the answer is read): the objects are walked as they arrive, each one's
 * zlib stream inflated to learn its length, and the pack is complete at its 20-byte trailer.
 * Nothing here trusts the bytes: the count, sizes and offsets are bounded, and the caller reads
 * the whole pack again with its checksum (pack-reader.ts).
 */
import { inflateSync } from 'node:zlib';
import { FerryError } from '../errors';

const OFS_DELTA = 6;
const REF_DELTA = 7;

function bad(message: string): FerryError {
  return new FerryError('bad-object', `a pack that cannot be read: ${message}`);
}

export class PackCollector {
  private buf = Buffer.alloc(64 * 1024);
  private len = 0;
  private pos = 12;
  private done = 0;
  private count = -1;
  /** an object's zlib stream was cut short: try again once this many bytes are here */
  private retryAt = 0;

  constructor(private readonly maxBytes: number) {}

  /** Adds bytes; the whole pack once it is complete (anything after it is refused). */
  add(chunk: Buffer): Buffer | undefined {
    if (this.len + chunk.length > this.maxBytes)
      throw new FerryError('too-large', `a pack over ${this.maxBytes} bytes was refused`);
    if (this.len + chunk.length > this.buf.length) {
      const grown = Buffer.alloc(Math.max(this.buf.length * 2, this.len + chunk.length));
      this.buf.copy(grown, 0, 0, this.len);
      this.buf = grown;
    }
    chunk.copy(this.buf, this.len);
    this.len += chunk.length;
    return this.scan();
  }

  /**
   * The sender went quiet: look again now, whatever was waited for (an object cut short near
   * the pack's end gets no "good deal more" bytes: the rest may be all there is).
   */
  settle(): Buffer | undefined {
    this.retryAt = 0;
    return this.scan();
  }

  private scan(): Buffer | undefined {
    const b = this.buf;
    if (this.count < 0) {
      if (this.len < 12) return undefined;
      if (b.toString('latin1', 0, 4) !== 'PACK') throw bad('no PACK header');
      const version = b.readUInt32BE(4);
      if (version !== 2 && version !== 3) throw bad(`version ${version}`);
      this.count = b.readUInt32BE(8);
    }
    if (this.len < this.retryAt) return undefined;
    while (this.done < this.count) {
      let p = this.pos;
      const at = (): number => {
        if (p >= this.len) throw new RangeError('more');
        return b[p++] ?? 0;
      };
      try {
        let c = at();
        const code = (c >> 4) & 7;
        while (c & 0x80) c = at();
        if (code === OFS_DELTA) {
          c = at();
          while (c & 0x80) c = at();
        } else if (code === REF_DELTA) {
          p += 20;
          if (p > this.len) throw new RangeError('more');
        } else if (code < 1 || code > 4) throw bad(`object type ${code}`);
      } catch (e) {
        if (e instanceof RangeError) return undefined;
        throw e;
      }
      if (p >= this.len) return undefined;
      let used: number;
      try {
        const r = inflateSync(b.subarray(p, this.len), { info: true }) as unknown as {
          engine: { bytesWritten: number };
        };
        used = r.engine.bytesWritten;
      } catch (e) {
        if (/unexpected end of file/i.test((e as Error).message)) {
          // wait for a good deal more before inflating this object again
          this.retryAt = this.len + Math.max(64 * 1024, (this.len - this.pos) >> 2);
          return undefined;
        }
        throw bad(`an object does not inflate (${(e as Error).message})`);
      }
      this.pos = p + used;
      this.done++;
    }
    if (this.len < this.pos + 20) return undefined;
    if (this.len > this.pos + 20) throw bad('bytes follow its checksum');
    return this.buf.subarray(0, this.len);
  }
}
