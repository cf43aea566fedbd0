/** Finding a pack's end as it arrives, however the bytes are cut. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { deflateSync } from 'node:zlib';
import { PackCollector } from '../../../src/engine/git/pack-boundary';

/** A version 2 pack of blobs, with its SHA-1 trailer. */
function pack(blobs: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from('PACK'), Buffer.alloc(8)];
  parts[1]?.writeUInt32BE(2, 0);
  parts[1]?.writeUInt32BE(blobs.length, 4);
  for (const blob of blobs) {
    let size = blob.length;
    const head = [(3 << 4) | (size & 15)];
    size >>= 4;
    while (size > 0) {
      head[head.length - 1] = (head.at(-1) ?? 0) | 0x80;
      head.push(size & 0x7f);
      size >>= 7;
    }
    parts.push(Buffer.from(head), deflateSync(blob));
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([body, createHash('sha1').update(body).digest()]);
}

describe('the end of a pack in a stream', () => {
  it('is found when the last object is cut short and little of the pack is left', () => {
    const whole = pack([Buffer.from('a small file\n'), randomBytes(30_000)]);
    const cut = whole.length - 2_000; // inside the last object's zlib stream
    const c = new PackCollector(1 << 20);
    assert.equal(c.add(whole.subarray(0, cut)), undefined);
    // the rest arrives; it is far less than the "good deal more" a cut object waits for
    const found = c.add(whole.subarray(cut)) ?? c.settle();
    assert.ok(found, 'the pack is complete once the sender pauses');
    assert.deepEqual(found, whole);
  });

  it('is found byte by byte, and not before the trailer', () => {
    const whole = pack([Buffer.from('one\n'), Buffer.from('two\n')]);
    const c = new PackCollector(1 << 20);
    let found: Buffer | undefined;
    for (let i = 0; i < whole.length && !found; i++) {
      found = c.add(whole.subarray(i, i + 1)) ?? (i % 7 === 0 ? c.settle() : undefined);
      if (i < whole.length - 1) assert.equal(found, undefined);
    }
    assert.deepEqual(found ?? c.settle(), whole);
  });
});
