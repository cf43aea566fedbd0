/**
 * The client side of the git-annex P2P protocol (git-annex's `P2P/Protocol.hs`), over any
 * duplex byte stream: `git-annex-shell p2pstdio` through ssh, or a Ferry peer. One session
 * runs one request at a time. Versions: we ask for 1 (VALID/INVALID after DATA) and work with a
 * host that answers 0..4 (v2+ replies carry `-PLUS <uuid>...`, read the same). Everything a
 * host sends is bounded: lines by the framing, DATA lengths by the key's size, so a hostile
 * host cannot make us buffer, write or wait without end. Bytes received are handed to the
 * caller's verifier (annex/receive.ts); nothing counts until it hashes to the key.
 */
import type { Readable, Writable } from 'node:stream';
import { keySize } from '../annex/key';
import { FerryError, isFerryError } from '../errors';
import { escapeAssociatedFile, FrameReader } from './framing';

/** A duplex connection carrying the protocol, and how to end it. */
export interface P2PConnection {
  readonly input: Readable;
  readonly output: Writable;
  /** ends the connection (kills the carrying process) */
  close(): void;
  /** words the carrier said about a failure (ssh's or git-annex-shell's stderr), if any */
  problem(): string;
  /** whether the connection keeps the process alive (an idle pooled session does not) */
  hold?(isHeld: boolean): void;
  /** settles once the carrier has gone and all it said was read */
  readonly exited?: Promise<void>;
}

/** The highest protocol version this client speaks. */
export const OUR_VERSION = 1;

function protocolError(peer: string, what: string): FerryError {
  // the host is moving this key already (git-annex says it so too): not a failure, a wait
  const code = /^transfer already in progress/.test(what) ? 'lock-busy' : 'protocol-error';
  return new FerryError(code, `${peer}: ${what}`, { remote: peer });
}

/** A `DATA <len>` header's length, refused when it is not a number or more than `max`. */
function dataLength(peer: string, line: string, max: number | undefined): number {
  const m = /^DATA (\d{1,15})$/.exec(line);
  if (!m) throw protocolError(peer, `expected DATA, got ${JSON.stringify(line.slice(0, 80))}`);
  const n = Number(m[1]);
  if (max !== undefined && n > max)
    throw protocolError(peer, `sent ${n} bytes where at most ${max} were possible`);
  return n;
}

export class P2PSession {
  private version = 0;
  private isBroken = false;
  private busy: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly conn: P2PConnection,
    private readonly reader: FrameReader,
    readonly peer: string,
    readonly serverUuid: string,
  ) {}

  /**
   * Opens a session: the server's `AUTH-SUCCESS <uuid>` (checked against `expectUuid` when
   * known), then version negotiation.
   */
  static async open(conn: P2PConnection, peer: string, expectUuid?: string): Promise<P2PSession> {
    const reader = new FrameReader(conn.input, peer);
    let first: string;
    try {
      first = await reader.line();
    } catch (e) {
      conn.close();
      const said = conn.problem().trim();
      if (said) throw new FerryError('remote-unavailable', `${peer}: ${said}`, { remote: peer }, e);
      throw e;
    }
    const m = /^AUTH-SUCCESS (\S+)$/.exec(first);
    if (!m?.[1]) {
      conn.close();
      throw protocolError(peer, `expected AUTH-SUCCESS, got ${JSON.stringify(first.slice(0, 80))}`);
    }
    if (expectUuid && m[1] !== expectUuid) {
      conn.close();
      throw new FerryError(
        'remote-unavailable',
        `${peer} is repository ${m[1]}, not the ${expectUuid} this remote was`,
        { remote: peer },
      );
    }
    const session = new P2PSession(conn, reader, peer, m[1]);
    try {
      await session.negotiate();
    } catch (e) {
      session.close();
      throw e;
    }
    return session;
  }

  get protocolVersion(): number {
    return this.version;
  }

  get isUsable(): boolean {
    return !this.isBroken;
  }

  private async negotiate(): Promise<void> {
    this.send(`VERSION ${OUR_VERSION}`);
    const line = await this.reader.line();
    const m = /^VERSION (\d+)$/.exec(line);
    if (m) this.version = Math.min(OUR_VERSION, Number(m[1]));
    else if (line.startsWith('ERROR')) this.version = 0;
    else
      throw protocolError(this.peer, `expected VERSION, got ${JSON.stringify(line.slice(0, 80))}`);
  }

  private send(line: string): void {
    if (line.includes('\n')) throw protocolError(this.peer, 'a message held a newline');
    this.conn.output.write(`${line}\n`);
  }

  /** Runs one exchange at a time; an exchange that fails mid-way breaks the session. */
  private run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.busy.then(async () => {
      if (this.isBroken)
        throw new FerryError('remote-unavailable', `${this.peer}: connection lost`);
      try {
        return await work();
      } catch (e) {
        this.isBroken = true;
        this.conn.close();
        throw e;
      }
    });
    this.busy = next.catch(() => undefined);
    return next;
  }

  /** SUCCESS / FAILURE (and their `-PLUS` forms); anything else breaks the session. */
  private async successOrFailure(): Promise<boolean> {
    const line = await this.reader.line();
    if (line === 'SUCCESS' || line.startsWith('SUCCESS-PLUS')) return true;
    if (line === 'FAILURE' || line.startsWith('FAILURE-PLUS')) return false;
    if (line.startsWith('ERROR')) throw protocolError(this.peer, line.slice(6) || 'error');
    throw protocolError(
      this.peer,
      `expected SUCCESS or FAILURE, got ${JSON.stringify(line.slice(0, 80))}`,
    );
  }

  checkPresent(key: string): Promise<boolean> {
    return this.run(async () => {
      this.send(`CHECKPRESENT ${key}`);
      return this.successOrFailure();
    });
  }

  /**
   * Locks the host's copy (it cannot be dropped while held). The session is held too: nothing
   * else runs on it until `release`, which sends UNLOCKCONTENT.
   */
  async lockContent(key: string): Promise<{ release(): void } | undefined> {
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    let locked: (ok: boolean) => void = () => undefined;
    const answer = new Promise<boolean>((r) => (locked = r));
    void this.run(async () => {
      this.send(`LOCKCONTENT ${key}`);
      const ok = await this.successOrFailure();
      locked(ok);
      if (!ok) return;
      await held;
      this.send('UNLOCKCONTENT');
    }).catch(() => locked(false));
    const ok = await answer;
    return ok ? { release } : undefined;
  }

  remove(key: string): Promise<boolean> {
    return this.run(async () => {
      this.send(`REMOVE ${key}`);
      return this.successOrFailure();
    });
  }

  /**
   * GET from `offset`: the bytes, as they arrive, for the caller's verifier. `finish(ok)` must be
   * called once the caller has checked them (it tells the host whether the transfer succeeded).
   * A key the host lacks comes as `DATA 0` and INVALID: then `content-missing`.
   */
  get(
    key: string,
    file: string,
    offset: number,
  ): Promise<{ bytes: AsyncIterable<Buffer>; finish(ok: boolean): Promise<void> }> {
    return new Promise((resolveOuter, rejectOuter) => {
      let streamFailedHook: () => void = () => undefined;
      void this.run(async () => {
        this.send(`GET ${offset} ${escapeAssociatedFile(file)} ${key}`);
        const size = keySize(key);
        const line = await this.reader.line();
        if (line.startsWith('ERROR')) throw protocolError(this.peer, line.slice(6) || 'error');
        const len = dataLength(
          this.peer,
          line,
          size === undefined ? undefined : Math.max(0, size - offset),
        );
        let verdict: (ok: boolean) => void = () => undefined;
        const checked = new Promise<boolean>((r) => (verdict = r));
        let finished: () => void = () => undefined;
        const told = new Promise<void>((r) => (finished = r));
        // a failed exchange ends the session: nothing is left to tell the host
        streamFailedHook = finished;
        let failed: (e: unknown) => void = () => undefined;
        const streamFailed = new Promise<never>((_, r) => (failed = r));
        streamFailed.catch(() => undefined);
        const reader = this.reader;
        const version = this.version;
        const peer = this.peer;
        const conn = this.conn;
        async function* bytes(): AsyncGenerator<Buffer> {
          let isComplete = false;
          try {
            yield* reader.bytes(len);
            if (version >= 1) {
              const v = await reader.line(16);
              if (v === 'INVALID') {
                if (len === 0)
                  throw new FerryError('content-missing', `${peer} does not have ${key}`, { key });
                throw new FerryError(
                  'checksum-mismatch',
                  `${peer} says its copy of ${key} changed while it was sent`,
                  { key },
                );
              }
              if (v !== 'VALID')
                throw protocolError(peer, `expected VALID, got ${JSON.stringify(v.slice(0, 80))}`);
            }
            isComplete = true;
          } catch (e) {
            // git-annex stops sending a copy it finds changed or damaged as it reads it
            const shortened =
              isFerryError(e, 'remote-unavailable') && /short data write/.test(conn.problem());
            const err = shortened
              ? new FerryError(
                  'checksum-mismatch',
                  `${peer}'s copy of ${key} does not match its checksum (the host stopped sending it: it changed there)`,
                  { key },
                )
              : e;
            failed(err);
            throw err;
          } finally {
            // stopped early (paused, cancelled): the rest of the frame is unread, the session ends
            if (!isComplete)
              failed(new FerryError('remote-unavailable', `${peer}: transfer stopped`));
          }
        }
        resolveOuter({
          bytes: bytes(),
          finish: async (ok) => {
            verdict(ok);
            await told;
          },
        });
        const ok = await Promise.race([checked, streamFailed]);
        this.send(ok ? 'SUCCESS' : 'FAILURE');
        finished();
      }).catch((e: unknown) => {
        streamFailedHook();
        rejectOuter(e instanceof Error ? e : new Error(String(e)));
      });
    });
  }

  /**
   * PUT: the host says what it has (ALREADY-HAVE, or PUT-FROM an offset); `read(offset)` gives
   * the bytes from there. Returns false when the host refused them (its verification failed,
   * its disk is full): nothing is then logged as present there.
   */
  put(
    key: string,
    file: string,
    read: (offset: number) => { length: number; bytes: AsyncIterable<Buffer> },
  ): Promise<'stored' | 'already-there' | 'refused'> {
    return this.run(async () => {
      this.send(`PUT ${escapeAssociatedFile(file)} ${key}`);
      const line = await this.reader.line();
      if (line === 'ALREADY-HAVE' || line.startsWith('ALREADY-HAVE-PLUS')) return 'already-there';
      const m = /^PUT-FROM (\d{1,15})$/.exec(line);
      if (!m) {
        if (line.startsWith('ERROR')) throw protocolError(this.peer, line.slice(6) || 'error');
        throw protocolError(
          this.peer,
          `expected PUT-FROM, got ${JSON.stringify(line.slice(0, 80))}`,
        );
      }
      const offset = Number(m[1]);
      const size = keySize(key);
      if (size !== undefined && offset > size)
        throw protocolError(this.peer, `asked to resume at ${offset} of ${size} bytes`);
      const { length, bytes } = read(offset);
      this.conn.output.write(`DATA ${length}\n`);
      let sent = 0;
      for await (const chunk of bytes) {
        sent += chunk.length;
        if (sent > length) throw new FerryError('content-changed', `${key} grew while it was sent`);
        if (!this.conn.output.write(chunk)) await this.drained();
      }
      if (sent !== length)
        throw new FerryError('content-changed', `${key} changed while it was sent`);
      if (this.version >= 1) this.send('VALID');
      return (await this.successOrFailure()) ? 'stored' : 'refused';
    });
  }

  /** The carrier took what was written, or went away (then the session is lost). */
  private drained(): Promise<void> {
    const out = this.conn.output;
    return new Promise<void>((resolve, reject) => {
      const lost = (): void => {
        done();
        this.isBroken = true;
        reject(new FerryError('remote-unavailable', `${this.peer}: connection lost`));
      };
      const ok = (): void => {
        done();
        resolve();
      };
      const done = (): void => {
        out.off('drain', ok);
        out.off('close', lost);
        out.off('error', lost);
        this.conn.input.off('close', lost);
      };
      if (out.destroyed || out.writableEnded || this.conn.input.destroyed) return lost();
      out.once('drain', ok);
      out.once('close', lost);
      out.once('error', lost);
      this.conn.input.once('close', lost);
    });
  }

  /** An idle session does not keep the process alive; one in use does. */
  hold(isHeld: boolean): void {
    this.conn.hold?.(isHeld);
  }

  /** What the carrier said on stderr (the host's reasons for a refusal). */
  said(): string {
    return this.conn.problem();
  }

  /** Waits (at most `ms`) for the carrier to be gone, so all it said has been read. */
  async ended(ms: number): Promise<void> {
    if (!this.conn.exited) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.conn.exited, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
  }

  /** Ends the session (the carrier's process is stopped). */
  close(): void {
    this.isBroken = true;
    this.conn.close();
  }
}
