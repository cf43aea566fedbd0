/**
 * git's pkt-line framing (`gitprotocol-common`): a 4-hex-digit length including itself, then
 * the payload; `0000` is a flush. Reading is bounded: a length over 65520 or a malformed
 * header ends the exchange, and the reader never gathers more than one packet in memory.
 */
import { FerryError } from '../errors';

export const MAX_PKT = 65520;

export function pkt(payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  if (body.length + 4 > MAX_PKT) throw new Error('pkt-line too long');
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, '0')), body]);
}

export const FLUSH = Buffer.from('0000');

/** Reads pkt-lines from a byte stream; `undefined` is a flush. */
export class PktReader {
  private readonly it: AsyncIterator<Buffer>;
  private buf: Buffer = Buffer.alloc(0);

  constructor(
    stream: AsyncIterable<Buffer>,
    private readonly peer: string,
  ) {
    this.it = stream[Symbol.asyncIterator]();
  }

  private async fill(n: number): Promise<void> {
    while (this.buf.length < n) {
      const r = await this.it.next();
      if (r.done)
        throw new FerryError('remote-unavailable', `${this.peer} closed the connection`, {
          remote: this.peer,
        });
      this.buf = this.buf.length === 0 ? r.value : Buffer.concat([this.buf, r.value]);
    }
  }

  /** Whatever is left of the stream: what this reader holds, then the rest, unframed. */
  async *rest(): AsyncGenerator<Buffer> {
    if (this.buf.length > 0) yield this.buf;
    this.buf = Buffer.alloc(0);
    for (;;) {
      const r = await this.it.next();
      if (r.done) return;
      yield r.value;
    }
  }

  /** The next packet's payload, or undefined for a flush (and a delimiter, `0001`). */
  async read(): Promise<Buffer | undefined> {
    await this.fill(4);
    const head = this.buf.toString('latin1', 0, 4);
    if (!/^[0-9a-f]{4}$/.test(head))
      throw new FerryError('protocol-error', `${this.peer} sent a malformed pkt-line`, {
        remote: this.peer,
      });
    const len = parseInt(head, 16);
    if (len === 0 || len === 1) {
      this.buf = this.buf.subarray(4);
      return undefined;
    }
    if (len < 4 || len > MAX_PKT)
      throw new FerryError('protocol-error', `${this.peer} sent a pkt-line of length ${len}`, {
        remote: this.peer,
      });
    await this.fill(len);
    const payload = Buffer.from(this.buf.subarray(4, len));
    this.buf = this.buf.subarray(len);
    return payload;
  }
}

export interface Advertisement {
  /** ref name -> object id (peeled `^{}` entries left out) */
  readonly refs: Map<string, string>;
  readonly capabilities: Set<string>;
}

/** At most this many refs are accepted from one advertisement. */
const MAX_REFS = 200_000;

/** Reads a v0 ref advertisement (through its flush). */
export async function readAdvertisement(reader: PktReader, peer: string): Promise<Advertisement> {
  const refs = new Map<string, string>();
  let capabilities = new Set<string>();
  let first = true;
  for (;;) {
    const line = await reader.read();
    if (line === undefined) break;
    let text = line.toString('utf8').replace(/\n$/, '');
    if (first) {
      first = false;
      const nul = text.indexOf('\0');
      if (nul >= 0) {
        capabilities = new Set(
          text
            .slice(nul + 1)
            .split(' ')
            .filter(Boolean),
        );
        text = text.slice(0, nul);
      }
    }
    const m = /^([0-9a-f]{40}) (\S+)$/.exec(text);
    if (!m?.[1] || !m[2])
      throw new FerryError('protocol-error', `${peer} sent a malformed ref line`, { remote: peer });
    if (m[2] === 'capabilities^{}' || m[2].endsWith('^{}')) continue;
    refs.set(m[2], m[1]);
    if (refs.size > MAX_REFS)
      throw new FerryError('protocol-error', `${peer} advertised more than ${MAX_REFS} refs`, {
        remote: peer,
      });
  }
  return { refs, capabilities };
}
