/**
 * Ferry's OpenPGP symmetric encryption against the real gpg, both ways: what Ferry seals gpg
 * opens, what `gpg --symmetric --force-mdc` (as git-annex runs it) seals Ferry opens; a wrong
 * passphrase and altered bytes are refused.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { decryptStream, encryptStream } from '../../../src/engine/special/openpgp';
import { tempDir } from '../../helpers/repos';

// eslint-disable-next-line @typescript-eslint/require-await
async function* once(b: Buffer): AsyncGenerator<Buffer> {
  // in uneven pieces, as a network delivers them
  for (let at = 0; at < b.length; at += 7777) yield b.subarray(at, at + 7777);
}

async function all(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of it) parts.push(b);
  return Buffer.concat(parts);
}

describe('OpenPGP symmetric encryption', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  const pass = randomBytes(321).toString('base64').slice(0, 428);
  const passFile = join(tmp.path, 'pass');
  writeFileSync(passFile, pass);
  const gpg = (...args: string[]): Buffer =>
    execFileSync(
      'gpg',
      [
        '--batch',
        '--quiet',
        '--yes',
        '--pinentry-mode',
        'loopback',
        '--passphrase-file',
        passFile,
        ...args,
      ],
      {
        env: { ...process.env, GNUPGHOME: tmp.path },
        maxBuffer: 64 << 20,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );

  for (const size of [0, 1, 191, 8383, 65535, 65536, 65537, 3_000_001]) {
    it(`${size} bytes: gpg opens what Ferry seals, Ferry opens what gpg seals`, async () => {
      const data = randomBytes(size);
      const sealed = await all(encryptStream(once(data), pass));
      writeFileSync(join(tmp.path, 'f.gpg'), sealed);
      assert.ok(gpg('--decrypt', join(tmp.path, 'f.gpg')).equals(data), 'gpg read it');
      assert.ok((await all(decryptStream(once(sealed), pass))).equals(data), 'Ferry read its own');
      writeFileSync(join(tmp.path, 'plain'), data);
      gpg(
        '--symmetric',
        '--force-mdc',
        '--no-textmode',
        '-o',
        join(tmp.path, 'g.gpg'),
        join(tmp.path, 'plain'),
      );
      const theirs = readFileSync(join(tmp.path, 'g.gpg'));
      assert.ok((await all(decryptStream(once(theirs), pass))).equals(data), "Ferry read gpg's");
    });
  }

  it('refuses a wrong passphrase and altered bytes', async () => {
    const data = randomBytes(100_000);
    const sealed = await all(encryptStream(once(data), pass));
    await assert.rejects(
      all(decryptStream(once(sealed), `${pass}x`)),
      /passphrase does not open it/,
    );
    const altered = Buffer.from(sealed);
    altered[50_000] = (altered[50_000] ?? 0) ^ 1;
    await assert.rejects(all(decryptStream(once(altered), pass)), /integrity check/);
    await assert.rejects(
      all(decryptStream(once(sealed.subarray(0, 60_000)), pass)),
      /ends too early|integrity/,
    );
    await assert.rejects(
      all(decryptStream(once(Buffer.from('not encrypted at all')), pass)),
      /not an OpenPGP packet/,
    );
  });
});
