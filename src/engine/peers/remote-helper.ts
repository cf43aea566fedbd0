/**
 * `git-remote-ferry`: how plain `git` (and `git annex sync`, which runs git) reaches a paired
 * Ferry device. A remote's URL is `ferry::<device-id>/<uuid>`; git runs
 * `git-remote-ferry <remote> <device-id>/<uuid>` and speaks the remote-helper protocol on its
 * stdio. The helper offers one capability, `connect`: it dials the device as Ferry does (its
 * last address, its static ones, then a short look on the LAN), with this user's device key,
 * and carries git's pack protocol through the P2P link's CONNECT to the device's own
 * git-upload-pack or git-receive-pack. Content is Ferry's business: git-annex sees the remote
 * as a git remote it cannot reach for content (`annex-ignore` is not needed: it only warns).
 */
import type { Readable, Writable } from 'node:stream';
import { openRepository } from '../annex/repository';
import { FerryError } from '../errors';
import type { GitService } from '../git/pack-service';
import { connectService } from '../p2p/connect-client';
import { peerContext, setPeerContext } from './context';
import { dialPeer } from './dial';
import { LanDiscovery } from './discovery';
import { parsePeerUrl } from './peer-url';

export interface HelperIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly err: (text: string) => void;
  readonly cwd: string;
}

/** Reads one command line, keeping what follows it for the pack protocol. */
class LineInput {
  private buf = Buffer.alloc(0);
  private readonly it: AsyncIterator<Buffer>;
  constructor(stream: Readable) {
    this.it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }
  async line(): Promise<string | undefined> {
    for (;;) {
      const nl = this.buf.indexOf(10);
      if (nl >= 0) {
        const text = this.buf.subarray(0, nl).toString('utf8');
        this.buf = this.buf.subarray(nl + 1);
        return text;
      }
      const r = await this.it.next();
      if (r.done) return undefined;
      this.buf = Buffer.concat([this.buf, Buffer.from(r.value)]);
    }
  }
  /** what was read past the last line, then the rest of the stream */
  async *rest(): AsyncGenerator<Buffer> {
    if (this.buf.length > 0) yield this.buf;
    this.buf = Buffer.alloc(0);
    for (;;) {
      const r = await this.it.next();
      if (r.done) return;
      yield Buffer.from(r.value);
    }
  }
}

const write = (out: Writable, text: string | Buffer): Promise<void> =>
  new Promise((r) => (out.write(text) ? r() : out.once('drain', () => r())));

export async function runRemoteHelper(argv: readonly string[], io: HelperIo): Promise<number> {
  const [remote, address] = argv;
  const url = address?.startsWith('ferry::') ? address : `ferry::${address ?? ''}`;
  if (!remote || !parsePeerUrl(url)) {
    io.err('usage: git-remote-ferry <remote> <device-id>/<uuid> (git runs this itself)\n');
    return 2;
  }
  const input = new LineInput(io.stdin);
  let service: GitService | undefined;
  for (;;) {
    const line = await input.line();
    if (line === undefined) return 0;
    if (line === 'capabilities') await write(io.stdout, 'connect\n\n');
    else if (line === '') return 0;
    else {
      const m = /^connect (git-upload-pack|git-receive-pack)$/.exec(line);
      if (!m) {
        io.err(`git-remote-ferry: unsupported request "${line.slice(0, 80)}"\n`);
        return 1;
      }
      service = m[1] as GitService;
      break;
    }
  }
  const repo = await openRepository(io.cwd, { requireAnnex: false });
  const target = parsePeerUrl(url);
  // a one-off process: known addresses first; discovery only helps when they fail
  const finder = new LanDiscovery({ deviceId: peerContext().identity.id, listenPort: 0 });
  const ctx = peerContext();
  const open = async () => {
    try {
      return (await dialPeer(repo, remote, url)).conn;
    } catch (e) {
      if (!(e instanceof FerryError) || e.code !== 'remote-unavailable') throw e;
      await finder.start().catch(() => undefined);
      setPeerContext({ ...ctx, finder });
      for (let i = 0; i < 20 && !finder.find(target?.deviceId ?? ''); i++) {
        if (i % 5 === 0) finder.ask();
        await new Promise((r) => setTimeout(r, 100));
      }
      return (await dialPeer(repo, remote, url)).conn;
    }
  };
  const conn = connectService(open, service, remote, target?.uuid);
  try {
    // both services speak first (their ref advertisement): once it comes the link is up, and
    // git hears so (an empty line); then its pack protocol goes both ways until the device is done
    const from = conn.input[Symbol.asyncIterator]();
    const head = await from.next();
    await write(io.stdout, '\n');
    const pump = (async () => {
      for await (const chunk of input.rest()) await conn.write(chunk);
    })();
    pump.catch(() => undefined);
    for (let r = head; !r.done; r = await from.next()) await write(io.stdout, r.value);
    await new Promise<void>((r) => io.stdout.write('', () => r()));
    return 0;
  } catch (e) {
    io.err(`git-remote-ferry: ${remote}: ${(e as Error).message}\n`);
    return 1;
  } finally {
    conn.close();
    finder.stop();
  }
}
