/**
 * git-annex's `encryption=` for special remotes. `shared`: one cipher in remote.log for every
 * clone (`cipher=`: base64 of 512 random bytes as gpg's `--gen-random --armor` prints them,
 * newline included, 685 bytes). Object names are `GPGHMACSHA1--<hmac>` keyed by the cipher's
 * first 256 bytes; content is OpenPGP symmetric with the rest of its line as passphrase.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { FerryError } from '../errors';
import { decryptStream, encryptStream } from './openpgp';

export type EncryptionMode = 'none' | 'shared';

export interface Encryption {
  readonly mode: EncryptionMode;
  /** the name a key (or chunk key) is stored under */
  nameOf(key: string): string;
  seal(plain: AsyncIterable<Buffer>): AsyncIterable<Buffer>;
  open(stored: AsyncIterable<Buffer>): AsyncIterable<Buffer>;
}

export const NO_ENCRYPTION: Encryption = {
  mode: 'none',
  nameOf: (key) => key,
  seal: (plain) => plain,
  open: (stored) => stored,
};

/** A new shared cipher, as remote.log's `cipher=` holds it. */
export function newSharedCipher(): string {
  return Buffer.from(`${randomBytes(512).toString('base64')}\n`, 'latin1').toString('base64');
}

/** The encryption a remote.log config describes (throws for modes Ferry cannot do). */
export function encryptionOf(fields: ReadonlyMap<string, string>, remote: string): Encryption {
  const mode = fields.get('encryption') ?? 'none';
  if (mode === 'none') return NO_ENCRYPTION;
  if (mode !== 'shared')
    throw new FerryError(
      'remote-unavailable',
      `remote "${remote}" uses encryption=${mode}, which Ferry does not support yet (none and shared work)`,
      { remote },
    );
  const cipher = Buffer.from(fields.get('cipher') ?? '', 'base64');
  if (cipher.length < 257)
    throw new FerryError(
      'remote-unavailable',
      `remote "${remote}" has no usable cipher in remote.log`,
      {
        remote,
      },
    );
  const hmacKey = cipher.subarray(0, 256);
  const end = cipher.indexOf(0x0a, 256);
  const passphrase = cipher.subarray(256, end < 0 ? cipher.length : end).toString('latin1');
  if (fields.get('mac') && fields.get('mac') !== 'HMACSHA1')
    throw new FerryError(
      'remote-unavailable',
      `remote "${remote}" names objects with ${fields.get('mac')}, which Ferry does not support yet`,
      { remote },
    );
  return {
    mode: 'shared',
    nameOf: (key) => `GPGHMACSHA1--${createHmac('sha1', hmacKey).update(key).digest('hex')}`,
    seal: (plain) => encryptStream(plain, passphrase),
    open: (stored) => decryptStream(stored, passphrase),
  };
}
