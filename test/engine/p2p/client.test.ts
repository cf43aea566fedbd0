/**
 * The P2P client against the real `git-annex-shell p2pstdio` (spawned directly: the protocol is
 * the same over ssh). Every exchange of the observed transcript, resumes, and the host's
 * bookkeeping as git-annex keeps it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TransferClaim } from '../../../src/engine/annex/transfer-info';
import { isFerryError } from '../../../src/engine/errors';
import { P2PSession } from '../../../src/engine/p2p/client';
import { processConnection } from '../../../src/engine/p2p/process-connection';
import { git, tempDir } from '../../helpers/repos';

const CLIENT_UUID = '11111111-2222-3333-4444-555555555555';
const FERRY = join(import.meta.dirname, '..', '..', '..', 'bin', 'ferry.mjs');

function keyOf(content: Buffer, ext = '.bin'): string {
  const hash = createHash('sha256').update(content).digest('hex');
  return `SHA256E-s${content.length}--${hash}${ext}`;
}

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
}

describe('the P2P client against git-annex-shell p2pstdio', () => {
  const tmp = tempDir();
  const host = join(tmp.path, 'host');
  let hostUuid = '';
  const hello = Buffer.from('hello\n');
  let helloKey = '';

  before(() => {
    git(tmp.path, 'init', '-q', host);
    git(host, 'annex', 'init', '-q', 'host');
    writeFileSync(join(host, 'a.txt'), hello);
    git(host, 'annex', 'add', '-q', 'a.txt');
    git(host, 'commit', '-qm', 'a');
    hostUuid = git(host, 'config', 'annex.uuid').trim();
    helloKey = git(host, 'annex', 'lookupkey', 'a.txt').trim();
  });
  after(() => tmp.cleanup());

  const open = (expect?: string): Promise<P2PSession> =>
    P2PSession.open(
      processConnection(['git-annex-shell', 'p2pstdio', host, CLIENT_UUID]),
      'host',
      expect,
    );

  it('negotiates version 1, checks presence, gets with and without an offset', async () => {
    const s = await open(hostUuid);
    try {
      assert.equal(s.serverUuid, hostUuid);
      assert.equal(s.protocolVersion, 1);
      assert.equal(await s.checkPresent(helloKey), true);
      assert.equal(await s.checkPresent(keyOf(Buffer.from('nope'))), false);
      const whole = await s.get(helloKey, 'a.txt', 0);
      assert.deepEqual(await collect(whole.bytes), hello);
      await whole.finish(true);
      const tail = await s.get(helloKey, 'a.txt', 3);
      assert.deepEqual(await collect(tail.bytes), Buffer.from('lo\n'));
      await tail.finish(true);
      // a key the host lacks: DATA 0 then INVALID
      const missing = await s.get(keyOf(Buffer.from('absent')), 'x', 0);
      await assert.rejects(collect(missing.bytes), /does not have/);
    } finally {
      s.close();
    }
  });

  it('refuses a host that is another repository than the remote was', async () => {
    await assert.rejects(open('99999999-2222-3333-4444-555555555555'), /not the/);
  });

  it('puts new content (resuming where the host says), and the host logs itself present', async () => {
    const data = Buffer.from('twelve bytes');
    const key = keyOf(data);
    const s = await open(hostUuid);
    try {
      const offsets: number[] = [];
      const stored = await s.put(key, 'new file.txt', (offset) => {
        offsets.push(offset);
        return { length: data.length - offset, bytes: [data.subarray(offset)] as never };
      });
      assert.equal(stored, 'stored');
      assert.deepEqual(offsets, [0]);
      assert.equal(
        await s.put(key, 'new.txt', () => assert.fail('no bytes asked')),
        'already-there',
      );
      assert.equal(await s.checkPresent(key), true);
    } finally {
      s.close();
    }
    const whereis = git(host, 'annex', 'whereis', '--json', '--key', key);
    assert.ok(whereis.includes(hostUuid), 'the host recorded its own copy');
    // bytes that do not match the key are refused by the host and not recorded
    const bad = keyOf(Buffer.from('other!'));
    const s2 = await open(hostUuid);
    try {
      const refused = await s2.put(bad, '', () => ({
        length: 6,
        bytes: [Buffer.from('wrong!')] as never,
      }));
      assert.equal(refused, 'refused');
      assert.equal(await s2.checkPresent(bad), false);
    } finally {
      s2.close();
    }
  });

  it('hears from a Ferry host that a key it is receiving already is busy, not failed', async () => {
    const data = Buffer.from('being received from elsewhere');
    const key = keyOf(data);
    // the host's own download of this key (from the same uuid), as its transferrer would hold it
    const claim = await TransferClaim.claim(
      join(host, '.git', 'annex'),
      'download',
      CLIENT_UUID,
      key,
      'x',
    );
    assert.ok(claim, 'the claim was taken');
    // the same host served by Ferry: it answers ERROR, as the protocol has it
    const s = await P2PSession.open(
      processConnection([process.execPath, FERRY, 'shell', 'p2pstdio', host, CLIENT_UUID]),
      'host',
      hostUuid,
    );
    try {
      await assert.rejects(
        s.put(key, 'x', () => ({ length: data.length, bytes: [data] as never })),
        (e: unknown) => isFerryError(e, 'lock-busy') && /already in progress/.test(String(e)),
      );
    } finally {
      s.close();
      await claim.finish(false);
    }
  });

  it('locks content for a drop, then removes', async () => {
    const data = Buffer.from('to be removed');
    const key = keyOf(data);
    const s = await open(hostUuid);
    try {
      await s.put(key, 'r', () => ({ length: data.length, bytes: [data] as never }));
      const lock = await s.lockContent(key);
      assert.ok(lock, 'the host locked its copy');
      lock.release();
      assert.equal(await s.lockContent(keyOf(Buffer.from('absent'))), undefined);
      assert.equal(await s.remove(key), true);
      assert.equal(await s.checkPresent(key), false);
    } finally {
      s.close();
    }
  });
});
