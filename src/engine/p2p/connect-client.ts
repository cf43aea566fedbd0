/**
 * The client side of CONNECT and NOTIFYCHANGE over a P2P connection (git-annex's
 * `P2P/IO.hs` relay): a git service's stdio carried in DATA frames until the server's
 * CONNECTDONE (answered with ours), as the pack protocol clients of engine/git/ take a
 * service; and a wait for the server's `CHANGED <sha>...`.
 */
import { mark } from '../trace';
import { FerryError } from '../errors';
import type { GitService, ServiceConnection } from '../git/pack-service';
import type { P2PConnection } from './client';
import { FrameReader } from './framing';

/** AUTH-SUCCESS (checked against `expectUuid`), then VERSION 1. */
async function handshake(
  conn: P2PConnection,
  reader: FrameReader,
  peer: string,
  expectUuid: string | undefined,
): Promise<string> {
  const first = await reader.line();
  const m = /^AUTH-SUCCESS (\S+)$/.exec(first);
  if (!m?.[1]) throw new FerryError('protocol-error', `${peer}: expected AUTH-SUCCESS`);
  if (expectUuid && m[1] !== expectUuid)
    throw new FerryError('remote-unavailable', `${peer} is repository ${m[1]}, not ${expectUuid}`);
  conn.output.write('VERSION 1\n');
  const v = await reader.line();
  if (!/^VERSION \d+$/.test(v)) throw new FerryError('protocol-error', `${peer}: expected VERSION`);
  return m[1];
}

/** A git service on the other side, through CONNECT on a connection `open` makes. */
export function connectService(
  open: () => Promise<P2PConnection>,
  service: GitService,
  peer: string,
  expectUuid?: string,
): ServiceConnection {
  let conn: P2PConnection | undefined;
  let closed = false;
  const ready = (async () => {
    const c = await open();
    conn = c;
    if (closed) c.close();
    const reader = new FrameReader(c.input, peer);
    await handshake(c, reader, peer, expectUuid);
    c.output.write(`CONNECT ${service}\n`);
    return { c, reader };
  })();
  ready.catch(() => undefined);
  async function* input(): AsyncGenerator<Buffer> {
    const { c, reader } = await ready;
    for (;;) {
      const line = await reader.line(64);
      const done = /^CONNECTDONE (\d+)$/.exec(line);
      if (done) {
        c.output.write('CONNECTDONE 0\n');
        if (done[1] !== '0')
          throw new FerryError('git-error', `${peer}: ${service} failed there`, { remote: peer });
        return;
      }
      const m = /^DATA (\d{1,9})$/.exec(line);
      if (!m) {
        if (line.startsWith('ERROR'))
          throw new FerryError('remote-unavailable', `${peer}: ${line.slice(6, 200)}`);
        throw new FerryError('protocol-error', `${peer}: expected DATA during ${service}`);
      }
      for await (const chunk of reader.bytes(Number(m[1]))) yield Buffer.from(chunk);
    }
  }
  return {
    input: input(),
    write: async (bytes) => {
      const { c } = await ready;
      for (let at = 0; at < bytes.length; at += 65536) {
        const part = bytes.subarray(at, at + 65536);
        const ok = c.output.write(Buffer.concat([Buffer.from(`DATA ${part.length}\n`), part]));
        if (!ok) await new Promise<void>((r) => c.output.once('drain', r));
      }
    },
    end: () => undefined, // the server finds the end of what we send (flush, pack trailer)
    close: () => {
      closed = true;
      conn?.close();
    },
    problem: () => conn?.problem() ?? '',
  };
}

/**
 * Asks the other side to say when its refs move: resolves with the new values, or rejects when
 * the connection ends first (or `signal` stops the wait).
 */
export async function waitForChange(
  conn: P2PConnection,
  peer: string,
  expectUuid: string | undefined,
  idleMs: number,
): Promise<string[]> {
  const reader = new FrameReader(conn.input, peer, idleMs);
  await handshake(conn, reader, peer, expectUuid);
  conn.output.write('NOTIFYCHANGE\n');
  const line = await reader.line();
  const m = /^CHANGED ?(.*)$/.exec(line);
  if (!m) throw new FerryError('protocol-error', `${peer}: expected CHANGED`);
  mark('notify-heard', peer);
  return (m[1] ?? '').split(' ').filter((s) => /^[0-9a-f]{40}$/.test(s));
}
