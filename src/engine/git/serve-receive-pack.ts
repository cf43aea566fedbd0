/**
 * The server side of `git-receive-pack` (v0, report-status), with no git binary: the refs
 * advertised, the client's commands read, its pack taken (its end found as it arrives, bounded
 * in size), every object checked as a fetch checks them (bytes hash to the id, git's fsck
 * checks) before any is written, each new tip's history complete here, then each ref moved by
 * compare-and-set from the value the client based it on. As git's default
 * (`receive.denyCurrentBranch`), the branch checked out in a work tree is not moved: the
 * assistant there merges `synced/<branch>` instead. One bad ref is refused alone.
 */
import { FerryError } from '../errors';
import { importBundle } from './bundle';
import type { GitContext } from './context';
import { ObjectDatabase } from './object-db';
import { PackCollector } from './pack-boundary';
import { isSafeRefName } from './pack-service';
import { FLUSH, pkt, PktReader } from './pkt-line';
import { compareAndSetRef, deleteRef, readRef } from './ref-store';
import { currentBranch } from './read';
import {
  advertisedRefs,
  advertisement,
  sendBand,
  ZERO_OID,
  type ServiceIo,
} from './serve-upload-pack';
import { VERSION } from '../../shared/version';

/** The largest pack one push may bring. */
export const MAX_PUSH_BYTES = 2 * 1024 ** 3;
const MAX_COMMANDS = 10_000;

interface Command {
  readonly old: string;
  readonly new: string;
  readonly ref: string;
}

function protocolError(peer: string, what: string): FerryError {
  return new FerryError('protocol-error', `${peer}: ${what}`, { remote: peer });
}

/** The refs that moved, for whoever tells others (change notices). */
export interface ReceiveResult {
  readonly updated: readonly { ref: string; oid: string | undefined }[];
}

export async function serveReceivePack(
  ctx: GitContext,
  io: ServiceIo,
  peer: string,
  options: { readOnly?: boolean } = {},
): Promise<ReceiveResult> {
  const refs = await advertisedRefs(ctx, false);
  const caps = `report-status delete-refs side-band-64k quiet agent=ferry/${VERSION}`;
  await io.write(advertisement(refs, caps));
  const reader = new PktReader(io.input, peer);
  const commands: Command[] = [];
  let band: 0 | 65520 = 0;
  for (;;) {
    let line: Buffer | undefined;
    try {
      line = await reader.read();
    } catch (e) {
      if (commands.length === 0) return { updated: [] }; // only the refs were wanted
      throw e;
    }
    if (line === undefined) break;
    let text = line.toString('utf8').replace(/\n$/, '');
    const nul = text.indexOf('\0');
    if (nul >= 0) {
      if (
        commands.length === 0 &&
        text
          .slice(nul + 1)
          .split(' ')
          .includes('side-band-64k')
      )
        band = 65520;
      text = text.slice(0, nul);
    }
    const m = /^([0-9a-f]{40}) ([0-9a-f]{40}) (\S+)$/.exec(text);
    if (!m?.[1] || !m[2] || !m[3])
      throw protocolError(peer, `sent a malformed update (${JSON.stringify(text.slice(0, 80))})`);
    commands.push({ old: m[1], new: m[2], ref: m[3] });
    if (commands.length > MAX_COMMANDS) throw protocolError(peer, 'sent too many updates');
  }
  if (commands.length === 0) return { updated: [] };
  const report: string[] = [];
  const verdict = new Map<string, string>();
  let unpack = 'ok';
  const creating = commands.filter((c) => c.new !== ZERO_OID);
  if (creating.length > 0) {
    const collector = new PackCollector(MAX_PUSH_BYTES);
    let pack: Buffer | undefined;
    // a pack's end is found as bytes come; when they pause, it is looked for at once (an
    // object cut short waits for more only while more keeps coming)
    const it = reader.rest()[Symbol.asyncIterator]();
    let next = it.next();
    next.catch(() => undefined);
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const quiet = new Promise<'quiet'>((r) => (timer = setTimeout(() => r('quiet'), 50)));
      const r = await Promise.race([next, quiet]);
      clearTimeout(timer);
      if (r === 'quiet') {
        pack = collector.settle();
        if (pack) break;
        continue;
      }
      if (r.done) break;
      pack = collector.add(r.value);
      if (pack) break;
      next = it.next();
      next.catch(() => undefined);
    }
    void it.return?.(undefined).catch(() => undefined);
    if (!pack) throw protocolError(peer, 'closed the connection before its pack ended');
    try {
      const db = new ObjectDatabase(ctx.gitdir);
      const { refused } = await importBundle(ctx, db, {
        prerequisites: [],
        refs: creating.map((c) => ({ ref: c.ref, oid: c.new })),
        pack,
      });
      for (const r of refused) verdict.set(r.ref, `missing necessary objects (${r.reason})`);
    } catch (e) {
      unpack = (e as Error).message.replace(/\s+/g, ' ').slice(0, 200);
    }
  }
  const checkedOut = ctx.isBare ? undefined : await currentBranch(ctx).catch(() => undefined);
  const updated: ReceiveResult['updated'][number][] = [];
  for (const c of commands) {
    let reason = verdict.get(c.ref);
    if (unpack !== 'ok') reason = 'unpacker error';
    else if (options.readOnly) reason = 'this repository is read-only';
    else if (!isSafeRefName(c.ref)) reason = 'funny refname';
    else if (checkedOut && c.ref === `refs/heads/${checkedOut}`)
      reason = 'branch is currently checked out';
    if (!reason) {
      try {
        if (c.new === ZERO_OID) {
          if ((await readRef(ctx.gitdir, c.ref)) !== c.old) reason = 'failed to lock';
          else await deleteRef(ctx.gitdir, c.ref);
        } else {
          const ok = await compareAndSetRef(
            ctx.gitdir,
            c.ref,
            c.new,
            c.old === ZERO_OID ? undefined : c.old,
          );
          if (!ok) reason = 'failed to lock';
        }
      } catch (e) {
        reason = `failed to update ref (${(e as Error).message.slice(0, 120)})`;
      }
    }
    if (reason) report.push(`ng ${c.ref} ${reason}\n`);
    else {
      report.push(`ok ${c.ref}\n`);
      updated.push({ ref: c.ref, oid: c.new === ZERO_OID ? undefined : c.new });
    }
  }
  const status = Buffer.concat([pkt(`unpack ${unpack}\n`), ...report.map((r) => pkt(r)), FLUSH]);
  await sendBand(io, status, band);
  if (band !== 0) await io.write(FLUSH);
  return { updated };
}
