/**
 * The content half of the P2P protocol's server side, on a repository of ours: GET from an
 * offset (VALID only when the object did not change while it was read), PUT with PUT-FROM
 * resume into the one verifier (annex/receive.ts), REMOVE under the exclusive content lock,
 * the location log kept as git-annex-shell keeps it (present after PUT, missing after REMOVE,
 * nothing after GET) and git-annex's transfer files for each move.
 */
import { populateArrived } from '../annex/populate-arrived';
import { noteHolder, noteSending } from '../annex/recent-holders';
import { span, traced } from '../trace';
import { createReadStream, promises as fsp } from 'node:fs';
import { setPresence } from '../annex/content';
import { isUsableKey, keySize } from '../annex/key';
import { dropObject, findObject, lockContent, tmpPath } from '../annex/object-store';
import { receiveFromFile } from '../annex/receive';
import { TransferClaim } from '../annex/transfer-info';
import type { AnnexBranch } from '../annex/branch';
import type { Repository } from '../annex/repository';
import { FerryError } from '../errors';
import type { FrameReader } from './framing';

export interface ContentSide {
  readonly repo: Repository;
  readonly branch: AnnexBranch;
  readonly reader: FrameReader;
  readonly clientUuid: string;
  readonly version: () => number;
  send(line: string): void;
  write(bytes: Buffer): Promise<void>;
  log(line: string): void;
  /** content here changed (a PUT or REMOVE): whoever records and tells others */
  changed(): void;
  /** whether a PUT is answered before its record is written (see ServeOptions) */
  readonly recordAfterReply: boolean;
  /** records a stored key in a batch (see ServeOptions); else a journal entry per PUT */
  readonly recordHeld?: (key: string) => void;
  /** work that goes on after a reply (the session waits for it before it ends) */
  later(work: Promise<void>): void;
}

function unescapeFile(field: string): string {
  return field.replace(/%%|%/g, (m) => (m === '%%' ? '%' : ' '));
}

/** A key from the wire, or an error line. */
export function wireKey(text: string | undefined): string {
  if (!text || !isUsableKey(text))
    throw new FerryError(
      'invalid-key',
      `${JSON.stringify((text ?? '').slice(0, 80))} is not a key`,
    );
  return text;
}

export async function serveGet(s: ContentSide, args: string): Promise<void> {
  const m = /^(\d{1,15}) (.*) (\S+)$/.exec(args);
  if (!m?.[1] || !m[3])
    throw new FerryError('protocol-error', 'GET needs an offset, a file and a key');
  const offset = Number(m[1]);
  const key = wireKey(m[3]);
  const held = await lockContent(s.repo, key, 'shared');
  const claim = held
    ? await TransferClaim.claim(
        s.repo.annexdir,
        'upload',
        s.clientUuid,
        key,
        unescapeFile(m[2] ?? ''),
      )
    : undefined;
  try {
    const before = held ? await fsp.stat(held.objectPath).catch(() => undefined) : undefined;
    if (!held || !before || offset > before.size) {
      s.send('DATA 0');
      if (s.version() >= 1) s.send('INVALID');
    } else {
      const len = before.size - offset;
      s.send(`DATA ${len}`);
      let sent = 0;
      if (len > 0) {
        for await (const chunk of createReadStream(held.objectPath, {
          start: offset,
          end: before.size - 1,
          highWaterMark: 1 << 20,
        }) as AsyncIterable<Buffer>) {
          const part = sent + chunk.length > len ? chunk.subarray(0, len - sent) : chunk;
          sent += part.length;
          await s.write(part);
          await claim?.progress(offset + sent, before.size);
        }
      }
      if (sent !== len) throw new FerryError('content-changed', `${key} shrank while it was sent`);
      const after = await fsp.stat(held.objectPath).catch(() => undefined);
      const same = after?.size === before.size && after.mtimeMs === before.mtimeMs;
      if (s.version() >= 1) s.send(same ? 'VALID' : 'INVALID');
    }
    const reply = await s.reader.line(64);
    await claim?.finish(reply === 'SUCCESS');
  } catch (e) {
    await claim?.finish(false).catch(() => undefined);
    throw e;
  } finally {
    held?.lock.release();
  }
}

export async function servePut(s: ContentSide, args: string, mayStore: boolean): Promise<void> {
  const space = args.lastIndexOf(' ');
  const key = wireKey(space < 0 ? args : args.slice(space + 1));
  const file = space < 0 ? '' : unescapeFile(args.slice(0, space));
  if (!mayStore) {
    s.send('ERROR this repository does not accept content from you');
    return;
  }
  if (await findObject(s.repo, key)) {
    s.send('ALREADY-HAVE');
    return;
  }
  const claim = await traced('put-claim', () =>
    TransferClaim.claim(s.repo.annexdir, 'download', s.clientUuid, key, file),
  );
  if (!claim) {
    s.send('ERROR transfer already in progress, or unable to take transfer lock');
    return;
  }
  let ok = false;
  try {
    const size = keySize(key);
    const partial = await fsp.lstat(tmpPath(s.repo, key)).catch(() => undefined);
    const offset =
      partial?.isFile() && (size === undefined || partial.size <= size) ? partial.size : 0;
    s.send(`PUT-FROM ${offset}`);
    const head = await s.reader.line(64);
    const dm = /^DATA (\d{1,15})$/.exec(head);
    if (!dm)
      throw new FerryError(
        'protocol-error',
        `expected DATA, got ${JSON.stringify(head.slice(0, 40))}`,
      );
    const len = Number(dm[1]);
    if (size !== undefined && offset + len > size)
      throw new FerryError('protocol-error', `sent ${len} bytes where ${size - offset} were left`);
    let got = 0;
    let opened = false;
    let verdict: string | undefined;
    const reader = s.reader;
    const version = s.version();
    async function* frame(): AsyncGenerator<Buffer> {
      for await (const chunk of reader.bytes(len)) {
        got += chunk.length;
        yield chunk;
      }
      if (version >= 1) verdict = await reader.line(16);
      if (verdict === 'INVALID')
        throw new FerryError(
          'checksum-mismatch',
          'the sender says its copy changed while it was sent',
        );
    }
    const received = span('put-receive');
    try {
      await receiveFromFile(s.repo, key, {
        open: (at) => {
          if (opened || at !== offset)
            throw new FerryError('io-error', `${key}: the partial copy changed meanwhile`);
          opened = true;
          return Promise.resolve(frame());
        },
      });
      ok = true;
    } catch (e) {
      s.log(`p2p: ${key} not stored: ${(e as Error).message}`);
    }
    received();
    // whatever went wrong here, the rest of the frame is read so the session goes on
    if (got < len) await reader.skip(len - got);
    if (version >= 1 && verdict === undefined) await reader.line(16);
    if (!ok) {
      s.send('FAILURE');
      return;
    }
    // the sender has it too: nothing sends it back before its location log arrives
    noteHolder(s.repo.annexdir, key, s.clientUuid);
    noteSending(s.repo.annexdir, s.clientUuid);
    // The content is in place and durable: on a device link the sender goes on while it is
    // recorded here (a burst waited for the journal lock once per file, behind each merge).
    // Held shared until then, so no drop can come between; the session waits for its records
    // before it ends.
    const held = s.recordAfterReply
      ? await lockContent(s.repo, key, 'shared').catch(() => undefined)
      : undefined;
    const record = async (): Promise<void> => {
      try {
        if (s.recordHeld) s.recordHeld(key);
        else await traced('put-presence', () => setPresence(s.branch, key, s.repo.uuid, true));
        await traced('put-populate', () => populateArrived(s.repo, key, file)).catch((e: unknown) =>
          s.log(`p2p: ${file} keeps its pointer: ${(e as Error).message}`),
        );
        s.changed();
      } finally {
        held?.lock.release();
      }
    };
    if (!held) await record();
    else
      s.later(
        record().catch((e: unknown) =>
          s.log(`p2p: ${key} is stored but not recorded yet: ${(e as Error).message}`),
        ),
      );
    s.send('SUCCESS');
  } finally {
    await traced('put-finish', () => claim.finish(ok)).catch(() => undefined);
  }
}

export async function serveRemove(s: ContentSide, key: string, mayRemove: boolean): Promise<void> {
  if (!mayRemove) {
    s.send('FAILURE');
    return;
  }
  try {
    const removed = await dropObject(s.repo, key, () => Promise.resolve());
    if (removed) {
      await setPresence(s.branch, key, s.repo.uuid, false);
      s.changed();
    }
    s.send('SUCCESS');
  } catch (e) {
    s.log(`p2p: ${key} kept: ${(e as Error).message}`);
    s.send('FAILURE');
  }
}

/** LOCKCONTENT: held until the next message, which must be UNLOCKCONTENT. */
export async function serveLock(s: ContentSide, key: string): Promise<boolean> {
  const held = await lockContent(s.repo, key, 'shared');
  if (!held) {
    s.send('FAILURE');
    return true;
  }
  s.send('SUCCESS');
  let next: string;
  try {
    next = await s.reader.line(64);
  } catch (e) {
    // the connection went: the copy stays locked a while, as git-annex keeps it (the dropper may still rely on it)
    setTimeout(() => held.lock.release(), 10 * 60_000).unref();
    throw e;
  }
  held.lock.release();
  if (next !== 'UNLOCKCONTENT') {
    s.send('ERROR expected UNLOCKCONTENT');
    return false;
  }
  return true;
}
