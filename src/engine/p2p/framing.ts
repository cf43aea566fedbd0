/**
 * Reading the git-annex P2P protocol's framing from a byte stream: lines (`CMD args\n`, at most
 * `MAX_LINE` bytes: a peer that never ends a line is cut off) and the raw bytes of a
 * `DATA <len>` frame, handed on in the chunks they arrive in (never gathered in memory).
 * Backpressure comes from the stream's async iterator: nothing is read ahead of the consumer.
 */
import { FerryError } from '../errors';

/** The longest protocol line accepted (keys are at most a few hundred bytes). */
export const MAX_LINE = 64 * 1024;

/** How long a peer may stay silent while an answer is awaited. */
export const IDLE_MS = 5 * 60_000;

export class FrameReader {
  private readonly it: AsyncIterator<Buffer>;
  private buf: Buffer = Buffer.alloc(0);
  private isEnded = false;

  constructor(
    stream: AsyncIterable<Buffer | string>,
    private readonly peer: string,
    private readonly idleMs = IDLE_MS,
  ) {
    const inner = stream[Symbol.asyncIterator]();
    this.it = {
      next: async () => {
        const r = await inner.next();
        if (r.done) return r;
        const v = r.value;
        return { done: false, value: typeof v === 'string' ? Buffer.from(v) : v };
      },
    };
  }

  private async more(): Promise<boolean> {
    if (this.isEnded) return false;
    let timer: NodeJS.Timeout | undefined;
    const silent = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new FerryError('remote-unavailable', `${this.peer} stopped answering`, {
            remote: this.peer,
          }),
        );
      }, this.idleMs);
    });
    let r: IteratorResult<Buffer>;
    try {
      r = await Promise.race([this.it.next(), silent]);
    } finally {
      clearTimeout(timer);
    }
    if (r.done) {
      this.isEnded = true;
      return false;
    }
    this.buf = this.buf.length === 0 ? r.value : Buffer.concat([this.buf, r.value]);
    return true;
  }

  closedError(): FerryError {
    return new FerryError('remote-unavailable', `${this.peer} closed the connection`, {
      remote: this.peer,
    });
  }

  /**
   * The next line, without its newline; throws when the peer closes first or it is longer than
   * `max` (where a short answer such as VALID is expected, a short limit).
   */
  async line(max = MAX_LINE): Promise<string> {
    for (;;) {
      const nl = this.buf.indexOf(10);
      if (nl >= 0) {
        if (nl > max) break;
        const text = this.buf.subarray(0, nl).toString('utf8');
        this.buf = this.buf.subarray(nl + 1);
        return text;
      }
      if (this.buf.length > max) break;
      if (!(await this.more())) throw this.closedError();
    }
    throw new FerryError('protocol-error', `${this.peer} sent a line longer than ${max} bytes`, {
      remote: this.peer,
    });
  }

  /** Exactly `n` bytes, in the chunks they arrive in. */
  async *bytes(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.buf.length === 0 && !(await this.more())) throw this.closedError();
      const take = Math.min(left, this.buf.length);
      const chunk = this.buf.subarray(0, take);
      this.buf = this.buf.subarray(take);
      left -= take;
      yield chunk;
    }
  }

  /** Reads and throws away `n` bytes (a frame not wanted). */
  async skip(n: number): Promise<void> {
    for await (const chunk of this.bytes(n)) void chunk;
  }
}

/** git-annex's escaping of the informational file name field: `%` doubled, whitespace as `%`. */
export function escapeAssociatedFile(file: string): string {
  return file.replace(/%/g, '%%').replace(/\s/g, '%');
}
