/**
 * `git push` to a git service on another machine (`git-receive-pack` over ssh or a Ferry
 * device link), with no git binary, as git's send-pack does it: one connection for all the
 * updates; the host's advertisement says what it has; a non-forced update must be a
 * fast-forward of what it advertised (checked here first, and compare-and-set there); one pack
 * holds the commits it lacks (new-commits.ts: found without walking the whole history) with
 * only what each one's tree changed; its report says which refs moved.
 */
import { Readable } from 'node:stream';
import { FerryError } from '../errors';
import type { GitContext } from './context';
import { packObjects } from './new-commits';
import { packOf } from './object-writer';
import { ObjectDatabase } from './object-db';
import type { ServiceConnector } from './pack-service';
import { FLUSH, pkt, PktReader, readAdvertisement } from './pkt-line';
import type { PushOutcome, RefUpdate } from './push-local';
import { isAncestor } from './read';
import { errorMessage } from '../../shared/errors';
import { span } from '../trace';

const ZERO = '0'.repeat(40);

interface Command {
  readonly old: string;
  readonly src: string;
  readonly dst: string;
}

/** Reads the report (through side-band 1 when asked for): `ok <ref>` / `ng <ref> <why>`. */
async function readReport(
  reader: PktReader,
  band: boolean,
  peer: string,
): Promise<{ unpack: string; refs: Map<string, string | undefined> }> {
  const lines: string[] = [];
  let inner: PktReader = reader;
  if (band) {
    // the report is itself pkt-lines, carried in band 1
    const chunks: Buffer[] = [];
    for (;;) {
      const p = await reader.read();
      if (p === undefined) break;
      if (p[0] === 1) chunks.push(p.subarray(1));
      else if (p[0] === 3)
        throw new FerryError(
          'git-error',
          `${peer}: ${p.subarray(1).toString('utf8').slice(0, 300)}`,
        );
    }
    inner = new PktReader(Readable.from([Buffer.concat(chunks)]), peer);
  }
  for (;;) {
    const p = await inner.read();
    if (p === undefined) break;
    lines.push(p.toString('utf8').replace(/\n$/, ''));
  }
  const unpack = /^unpack (.*)$/.exec(lines[0] ?? '')?.[1] ?? 'no answer';
  const refs = new Map<string, string | undefined>();
  for (const l of lines.slice(1)) {
    const ok = /^ok (\S+)$/.exec(l);
    if (ok?.[1]) refs.set(ok[1], undefined);
    const ng = /^ng (\S+) (.*)$/.exec(l);
    if (ng?.[1]) refs.set(ng[1], ng[2] ?? 'refused');
  }
  return { unpack, refs };
}

const REJECTED = /non-fast-forward|fetch first|failed to lock|stale|checked out/i;

/** Pushes every update in one session; never throws for one ref's failure. */
export async function sendPack(
  local: GitContext,
  connect: ServiceConnector,
  peer: string,
  updates: readonly RefUpdate[],
  signal?: AbortSignal,
): Promise<PushOutcome[]> {
  signal?.throwIfAborted();
  const conn = connect('git-receive-pack');
  // stopping ends the session at once, even in the middle of a wait on the other side
  const stop = (): void => conn.close();
  signal?.addEventListener('abort', stop, { once: true });
  const outcome = new Map<string, PushOutcome>();
  try {
    const reader = new PktReader(conn.input, peer);
    const advertised = span('push-advertisement', peer);
    const adv = await readAdvertisement(reader, peer);
    advertised();
    const db = new ObjectDatabase(local.gitdir);
    const commands: Command[] = [];
    for (const u of updates) {
      const old = adv.refs.get(u.dst) ?? ZERO;
      if (old === u.src) {
        outcome.set(u.dst, { dst: u.dst, status: 'up-to-date' });
        continue;
      }
      if (!u.force && old !== ZERO) {
        const ff = db.has(old) && (await isAncestor(local, old, u.src).catch(() => false));
        if (!ff) {
          outcome.set(u.dst, { dst: u.dst, status: 'rejected', reason: 'non-fast-forward' });
          continue;
        }
      }
      commands.push({ old, src: u.src, dst: u.dst });
    }
    if (commands.length > 0) {
      const band = adv.capabilities.has('side-band-64k');
      const caps = ['report-status', ...(band ? ['side-band-64k'] : []), 'agent=ferry'];
      const request: Buffer[] = commands.map((c, i) =>
        pkt(`${c.old} ${c.src} ${c.dst}${i === 0 ? `\0${caps.join(' ')}` : ''}\n`),
      );
      request.push(FLUSH);
      const haves = [...new Set(adv.refs.values())].filter((oid) => db.has(oid));
      const packed = span('push-pack', peer);
      const objects = await packObjects(local, [...new Set(commands.map((c) => c.src))], haves);
      signal?.throwIfAborted();
      request.push(packOf(objects));
      packed(`${objects.length} objects`);
      const reported = span('push-report', peer);
      const body = Buffer.concat(request);
      for (let at = 0; at < body.length; at += 1 << 20)
        await conn.write(body.subarray(at, at + (1 << 20)));
      conn.end();
      const report = await readReport(reader, band, peer);
      reported();
      for (const c of commands) {
        const why = report.refs.get(c.dst);
        if (report.unpack !== 'ok')
          outcome.set(c.dst, { dst: c.dst, status: 'error', reason: `unpack ${report.unpack}` });
        else if (!report.refs.has(c.dst))
          outcome.set(c.dst, { dst: c.dst, status: 'error', reason: 'no answer for it' });
        else if (why === undefined) outcome.set(c.dst, { dst: c.dst, status: 'ok' });
        else
          outcome.set(c.dst, {
            dst: c.dst,
            status: REJECTED.test(why) ? 'rejected' : 'error',
            reason: why.slice(0, 300),
          });
      }
    }
  } catch (e) {
    const said = conn.problem().trim().split('\n').at(-1);
    const reason = `${errorMessage(e)}${said ? ` (${said.slice(0, 200)})` : ''}`.slice(0, 300);
    for (const u of updates)
      if (!outcome.has(u.dst)) outcome.set(u.dst, { dst: u.dst, status: 'error', reason });
  } finally {
    signal?.removeEventListener('abort', stop);
    conn.close();
  }
  return updates.map(
    (u) => outcome.get(u.dst) ?? { dst: u.dst, status: 'error', reason: 'not pushed' },
  );
}
