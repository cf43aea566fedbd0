/**
 * The server side of `git-upload-pack` (the v0 pack protocol, as git's upload-pack.c answers a
 * client that asks for no multi_ack), with no git binary: the refs advertised, the client's
 * wants (only advertised tips) and haves read, ACK/NAK as git sends them, then one pack of what
 * the common commits do not reach, in side-band-64k when asked. Used by `ferry shell
 * git-upload-pack` and by a Ferry device's CONNECT.
 */
import git from 'isomorphic-git';
import { FerryError } from '../errors';
import { packObjects } from './new-commits';
import type { GitContext } from './context';
import { ObjectDatabase } from './object-db';
import { packOf } from './object-writer';
import { FLUSH, MAX_PKT, pkt, PktReader } from './pkt-line';
import { listRefNames, readRef } from './ref-store';
import { VERSION } from '../../shared/version';

/** A service's two directions: what the client sent, and a way to answer. */
export interface ServiceIo {
  readonly input: AsyncIterable<Buffer>;
  write(bytes: Buffer): Promise<void>;
}

export const ZERO_OID = '0'.repeat(40);
/** What a client may send before `done`: more is refused as hostile. */
const MAX_REQUEST_LINES = 200_000;

/** The refs a service advertises: under refs/heads, refs/tags and refs/synced (HEAD first when asked). */
export async function advertisedRefs(
  ctx: GitContext,
  withHead: boolean,
): Promise<{ ref: string; oid: string }[]> {
  const out: { ref: string; oid: string }[] = [];
  if (withHead) {
    const head = await readRef(ctx.gitdir, 'HEAD');
    if (head) out.push({ ref: 'HEAD', oid: head });
  }
  for (const prefix of ['refs/heads', 'refs/tags', 'refs/synced']) {
    for (const ref of (await listRefNames(ctx.gitdir, prefix)).sort()) {
      const oid = await readRef(ctx.gitdir, ref);
      if (oid) out.push({ ref, oid });
    }
  }
  return out;
}

/** The advertisement's lines: the first carries the capabilities (an empty repository's, a placeholder). */
export function advertisement(refs: readonly { ref: string; oid: string }[], caps: string): Buffer {
  const lines = refs.length > 0 ? refs : [{ ref: 'capabilities^{}', oid: ZERO_OID }];
  return Buffer.concat([
    ...lines.map((r, i) => pkt(`${r.oid} ${r.ref}${i === 0 ? `\0${caps}` : ''}\n`)),
    FLUSH,
  ]);
}

/** Sends `data` on side-band 1 (or as it is without side-band), at most one packet's worth at a time. */
export async function sendBand(io: ServiceIo, data: Buffer, band: 0 | 1000 | 65520): Promise<void> {
  if (band === 0) {
    await io.write(data);
    return;
  }
  const step = Math.min(band, MAX_PKT) - 5;
  for (let at = 0; at < data.length; at += step) {
    const part = data.subarray(at, at + step);
    await io.write(pkt(Buffer.concat([Buffer.from([1]), part])));
  }
}

function protocolError(peer: string, what: string): FerryError {
  return new FerryError('protocol-error', `${peer}: ${what}`, { remote: peer });
}

export async function serveUploadPack(ctx: GitContext, io: ServiceIo, peer: string): Promise<void> {
  const refs = await advertisedRefs(ctx, true);
  const head = await git
    .currentBranch({ fs: ctx.fs, gitdir: ctx.gitdir, fullname: true })
    .catch(() => undefined);
  const caps = ['side-band-64k', 'side-band', 'no-progress', `agent=ferry/${VERSION}`];
  if (head && refs.some((r) => r.ref === head)) caps.unshift(`symref=HEAD:${head}`);
  await io.write(advertisement(refs, caps.join(' ')));
  const tips = new Set(refs.map((r) => r.oid));
  const reader = new PktReader(io.input, peer);
  const wants: string[] = [];
  let band: 0 | 1000 | 65520 = 0;
  let lines = 0;
  for (;;) {
    let line: Buffer | undefined;
    try {
      line = await reader.read();
    } catch (e) {
      if (wants.length === 0) return; // the client only wanted the refs (ls-remote, up to date)
      throw e;
    }
    if (line === undefined) break;
    const text = line.toString('utf8').replace(/\n$/, '');
    const m = /^want ([0-9a-f]{40})(?: (.*))?$/.exec(text);
    if (!m?.[1])
      throw protocolError(peer, `expected want, got ${JSON.stringify(text.slice(0, 60))}`);
    if (!tips.has(m[1])) {
      await io.write(pkt(`ERR upload-pack: not our ref ${m[1]}\n`));
      throw protocolError(peer, `asked for ${m[1]}, which is not a ref here`);
    }
    if (wants.length === 0 && m[2]) {
      const asked = new Set(m[2].split(' '));
      band = asked.has('side-band-64k') ? 65520 : asked.has('side-band') ? 1000 : 0;
    }
    wants.push(m[1]);
    if (++lines > MAX_REQUEST_LINES) throw protocolError(peer, 'sent too many wants');
  }
  if (wants.length === 0) return;
  const db = new ObjectDatabase(ctx.gitdir);
  const common: string[] = [];
  for (;;) {
    const line = await reader.read();
    if (++lines > MAX_REQUEST_LINES) throw protocolError(peer, 'sent too many haves');
    if (line === undefined) {
      if (common.length === 0) await io.write(pkt('NAK\n'));
      continue;
    }
    const text = line.toString('utf8').replace(/\n$/, '');
    if (text === 'done') {
      if (common.length === 0) await io.write(pkt('NAK\n'));
      break;
    }
    const m = /^have ([0-9a-f]{40})$/.exec(text);
    if (!m?.[1])
      throw protocolError(peer, `expected have, got ${JSON.stringify(text.slice(0, 60))}`);
    if (db.has(m[1])) {
      common.push(m[1]);
      if (common.length === 1) await io.write(pkt(`ACK ${m[1]}\n`));
    }
  }
  const objects = await packObjects(ctx, [...new Set(wants)], common);
  await sendBand(io, packOf(objects), band);
  if (band !== 0) await io.write(FLUSH);
}
