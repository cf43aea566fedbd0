/**
 * The server side of the git-annex P2P protocol (git-annex's `P2P/Protocol.hs` serveAuthed),
 * serving one repository of ours to one client: what `git-annex-shell p2pstdio` answers, plus
 * NOTIFYCHANGE (when a change feed is given) and CONNECT to git-upload-pack /
 * git-receive-pack served by Ferry itself (engine/git/serve-*.ts), so neither side needs a git
 * binary. We speak version 1. Everything the client sends is bounded (lines by the framing,
 * DATA by the key's size); an ERROR from the client ends the session, an unknown request gets
 * `ERROR unknown command` and the session goes on, as git-annex does.
 */
import { mark, traced } from '../trace';
import type { Readable, Writable } from 'node:stream';
import { AnnexBranch } from '../annex/branch';
import type { Repository } from '../annex/repository';
import { FerryError } from '../errors';
import { serveReceivePack, type ReceiveResult } from '../git/serve-receive-pack';
import { serveUploadPack, type ServiceIo } from '../git/serve-upload-pack';
import { findObject } from '../annex/object-store';
import { FrameReader } from './framing';
import {
  serveGet,
  serveLock,
  servePut,
  serveRemove,
  wireKey,
  type ContentSide,
} from './server-content';

export const SERVER_VERSION = 1;

/** What a client may do: git-annex-shell's read-only / append-only modes, or everything. */
export type ServeMode = 'read-only' | 'append-only' | 'full';

/** Waits for this repository's refs to move; the new values of the refs that moved. */
export interface RefChanges {
  wait(signal: AbortSignal): Promise<string[]>;
}

export interface ServeOptions {
  readonly repo: Repository;
  /** who the client is, for messages */
  readonly peer: string;
  readonly clientUuid: string;
  readonly mode?: ServeMode;
  /** NOTIFYCHANGE is answered only with a feed */
  readonly changes?: RefChanges;
  /** content or refs here changed because of this client */
  readonly onChanged?: (what: 'content' | ReceiveResult) => void;
  /** diagnostics (git-annex-shell's stderr) */
  readonly log?: (line: string) => void;
  /** the idle limit while waiting for the client's next request */
  readonly idleMs?: number;
  /**
   * A PUT is answered once its content is durable and recorded after (a long-lived server: a
   * device's listener). A one-shot `ferry shell` records first: its client, and whatever runs
   * after it, may end as soon as it has the answer.
   */
  readonly recordAfterReply?: boolean;
  /**
   * Records that this repository holds a key a PUT stored, in the batches of a long-lived
   * process (a device's listener: the folder's location-log batches). Without it each PUT
   * writes its own journal entry, under the journal lock (a burst of 1,000 small files took
   * that lock 1,000 times, behind each merge).
   */
  readonly recordHeld?: (key: string) => void;
}

export interface ServerConnection {
  readonly input: Readable;
  readonly output: Writable;
}

function writeTo(out: Writable, bytes: Buffer | string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (out.destroyed || out.writableEnded) {
      reject(new FerryError('remote-unavailable', 'the client went away'));
      return;
    }
    if (out.write(bytes)) resolve();
    else {
      const done = (e?: Error): void => {
        out.off('drain', drained);
        out.off('close', gone);
        if (e) reject(e);
        else resolve();
      };
      const drained = (): void => done();
      const gone = (): void => done(new FerryError('remote-unavailable', 'the client went away'));
      out.once('drain', drained);
      out.once('close', gone);
    }
  });
}

/**
 * Serves until the client closes, sends ERROR, or a CONNECT ends the session. Sends
 * `AUTH-SUCCESS <uuid>` first, as p2pstdio does (the carrier authenticated the client).
 */
export async function serveP2P(conn: ServerConnection, o: ServeOptions): Promise<void> {
  const reader = new FrameReader(conn.input, o.peer, o.idleMs);
  const branch = new AnnexBranch(o.repo);
  const log = o.log ?? (() => undefined);
  let version = 0;
  const send = (line: string): void => {
    if (line.includes('\n')) throw new FerryError('protocol-error', 'a reply held a newline');
    conn.output.write(`${line}\n`);
  };
  const side: ContentSide = {
    repo: o.repo,
    branch,
    reader,
    clientUuid: o.clientUuid,
    version: () => version,
    send,
    write: (b) => writeTo(conn.output, b),
    log,
    changed: () => o.onChanged?.('content'),
    recordAfterReply: o.recordAfterReply === true,
    recordHeld: o.recordHeld,
    later: (work) => {
      pending.add(work);
      void work.finally(() => pending.delete(work));
    },
  };
  const pending = new Set<Promise<void>>();
  send(`AUTH-SUCCESS ${o.repo.uuid}`);
  try {
    await serveRequests(
      conn,
      o,
      reader,
      side,
      () => version,
      (v) => (version = v),
    );
  } finally {
    await Promise.allSettled([...pending]);
  }
}

async function serveRequests(
  conn: ServerConnection,
  o: ServeOptions,
  reader: FrameReader,
  side: ContentSide,
  version: () => number,
  setVersion: (v: number) => void,
): Promise<void> {
  const send = (line: string): void => side.send(line);
  const log = (line: string): void => side.log(line);
  const mode = o.mode ?? 'full';
  for (;;) {
    let line: string;
    try {
      line = await reader.line();
    } catch {
      return; // the client closed (or went silent): the session is over
    }
    const space = line.indexOf(' ');
    const cmd = space < 0 ? line : line.slice(0, space);
    const args = space < 0 ? '' : line.slice(space + 1);
    try {
      switch (cmd) {
        case 'VERSION': {
          const asked = /^\d{1,6}$/.test(args) ? Number(args) : 0;
          setVersion(Math.min(asked, SERVER_VERSION));
          send(`VERSION ${version()}`);
          break;
        }
        case 'BYPASS':
          break;
        case 'CHECKPRESENT':
          send((await findObject(o.repo, wireKey(args))) ? 'SUCCESS' : 'FAILURE');
          break;
        case 'LOCKCONTENT':
          if (!(await serveLock(side, wireKey(args)))) return;
          break;
        case 'GET':
          await traced('serve-get', () => serveGet(side, args));
          break;
        case 'PUT':
          await traced('serve-put', () => servePut(side, args, mode !== 'read-only'));
          break;
        case 'REMOVE':
          await serveRemove(side, wireKey(args), mode === 'full');
          break;
        case 'NOTIFYCHANGE':
          if (!o.changes) {
            log('change notification not available');
            return;
          }
          if (!(await notifyChange(conn, o.changes, send))) return;
          break;
        case 'CONNECT':
          await traced(
            'serve-connect',
            () => serveConnect(conn, reader, o, args, mode, send),
            args,
          );
          return;
        case 'ERROR':
          log(`p2p: the client said: ${args.slice(0, 200)}`);
          return;
        default:
          send('ERROR unknown command');
      }
    } catch (e) {
      if (e instanceof FerryError && (e.code === 'invalid-key' || e.code === 'protocol-error')) {
        send(`ERROR ${e.message.replace(/\s+/g, ' ').slice(0, 200)}`);
        if (e.code === 'protocol-error') return;
        continue;
      }
      log(`p2p: ${(e as Error).message}`);
      return;
    }
  }
}

/** Blocks until a ref moves (or the client goes), then CHANGED with the new values. */
async function notifyChange(
  conn: ServerConnection,
  changes: RefChanges,
  send: (line: string) => void,
): Promise<boolean> {
  const stop = new AbortController();
  const gone = (): void => stop.abort();
  conn.input.once('close', gone);
  conn.input.once('end', gone);
  try {
    const shas = await changes.wait(stop.signal);
    if (stop.signal.aborted) return false;
    send(`CHANGED ${shas.join(' ')}`);
    mark('notify-sent');
    return true;
  } catch {
    return false;
  } finally {
    conn.input.off('close', gone);
    conn.input.off('end', gone);
  }
}

/** The client's DATA frames as a byte stream, ending at its CONNECTDONE. */
async function* connectInput(reader: FrameReader): AsyncGenerator<Buffer> {
  for (;;) {
    const line = await reader.line(64);
    if (line.startsWith('CONNECTDONE')) return;
    const m = /^DATA (\d{1,9})$/.exec(line);
    if (!m)
      throw new FerryError(
        'protocol-error',
        `expected DATA, got ${JSON.stringify(line.slice(0, 40))}`,
      );
    for await (const chunk of reader.bytes(Number(m[1]))) yield Buffer.from(chunk);
  }
}

async function serveConnect(
  conn: ServerConnection,
  reader: FrameReader,
  o: ServeOptions,
  service: string,
  mode: ServeMode,
  send: (line: string) => void,
): Promise<void> {
  if (service !== 'git-upload-pack' && service !== 'git-receive-pack') {
    send('ERROR unknown service');
    return;
  }
  const input = connectInput(reader);
  const io: ServiceIo = {
    input,
    write: async (bytes) => {
      for (let at = 0; at < bytes.length; at += 65536) {
        const part = bytes.subarray(at, at + 65536);
        await writeTo(conn.output, Buffer.concat([Buffer.from(`DATA ${part.length}\n`), part]));
      }
    },
  };
  let rc = 0;
  try {
    if (service === 'git-upload-pack') await serveUploadPack(o.repo.git, io, o.peer);
    else {
      const r = await serveReceivePack(o.repo.git, io, o.peer, {
        readOnly: mode === 'read-only',
      });
      if (r.updated.length > 0) o.onChanged?.(r);
    }
  } catch (e) {
    rc = 1;
    o.log?.(`p2p: ${service}: ${(e as Error).message}`);
  }
  send(`CONNECTDONE ${rc}`);
  // what the client's side still says, up to its own CONNECTDONE (bounded by the idle limit)
  try {
    for await (const chunk of input) void chunk;
  } catch {
    // it went away: the session is over either way
  }
}
