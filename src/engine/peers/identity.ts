/**
 * This device's identity: an Ed25519 key pair made on first use and kept in the user's Ferry
 * folder (`device-key.pem`, mode 0600), a self-signed X.509 certificate over it for TLS (made
 * here, DER by hand: node:crypto signs but does not issue certificates), and the device ID:
 * SHA-256 of the raw public key in base32, with one Luhn mod 32 check character per 13, in 8
 * groups of 7, as Syncthing shows its IDs. A peer's ID is computed from the certificate it
 * presents in the TLS handshake, which proves it holds the key: pinning, no CA.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { FerryError } from '../errors';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export interface DeviceIdentity {
  /** `XXXXXXX-XXXXXXX-...` (8 groups of 7) */
  readonly id: string;
  readonly keyPem: string;
  readonly certPem: string;
}

function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** Syncthing's Luhn mod 32 check character (lib/protocol/luhn.go). */
export function luhn32(s: string): string {
  let factor = 1;
  let sum = 0;
  for (const ch of s) {
    const cp = ALPHABET.indexOf(ch);
    if (cp < 0) throw new FerryError('usage', `${JSON.stringify(ch)} is not a device ID character`);
    let addend = factor * cp;
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / 32) + (addend % 32);
    sum += addend;
  }
  return ALPHABET[(32 - (sum % 32)) % 32] ?? 'A';
}

/** The device ID of a raw 32-byte Ed25519 public key. */
export function deviceIdOf(publicKey: Buffer): string {
  const b = base32(createHash('sha256').update(publicKey).digest()); // 52 characters
  let checked = '';
  for (let i = 0; i < 4; i++) {
    const part = b.slice(i * 13, i * 13 + 13);
    checked += part + luhn32(part);
  }
  return (checked.match(/.{7}/g) ?? []).join('-');
}

/** A device ID as typed (any case, with or without dashes or spaces), checked; undefined when wrong. */
export function parseDeviceId(text: string): string | undefined {
  const s = text.toUpperCase().replace(/[-\s]/g, '');
  if (!/^[A-Z2-7]{56}$/.test(s)) return undefined;
  for (let i = 0; i < 4; i++) {
    const part = s.slice(i * 14, i * 14 + 13);
    if (luhn32(part) !== s[i * 14 + 13]) return undefined;
  }
  return (s.match(/.{7}/g) ?? []).join('-');
}

function rawPublicKey(key: KeyObject): Buffer {
  const spki = key.export({ type: 'spki', format: 'der' });
  return spki.subarray(spki.length - 32);
}

/** The device ID behind a certificate a peer presented (DER). */
export function deviceIdOfCertificate(der: Buffer): string {
  const key = new X509Certificate(der).publicKey;
  if (key.asymmetricKeyType !== 'ed25519')
    throw new FerryError('auth-failed', 'the peer presented a certificate that is not Ed25519');
  return deviceIdOf(rawPublicKey(key));
}

// --- a minimal DER writer, for the one certificate shape we issue ---
function der(tag: number, body: Buffer): Buffer {
  const n = body.length;
  const len =
    n < 0x80
      ? Buffer.from([n])
      : n < 0x100
        ? Buffer.from([0x81, n])
        : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}
const seq = (...parts: Buffer[]): Buffer => der(0x30, Buffer.concat(parts));
const ED25519_ALG = seq(Buffer.from([0x06, 0x03, 0x2b, 0x65, 0x70]));
const name = (cn: string): Buffer =>
  seq(der(0x31, seq(Buffer.from([0x06, 0x03, 0x55, 0x04, 0x03]), der(0x0c, Buffer.from(cn)))));
const time = (d: Date): Buffer =>
  der(0x18, Buffer.from(`${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`));

/** A self-signed certificate for the key (CN `ferry`), valid from yesterday for a century. */
export function selfSignedCertificate(privateKey: KeyObject): string {
  const publicKey = createPublicKey(privateKey);
  const serial = randomBytes(8);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const now = Date.now();
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, serial),
    ED25519_ALG,
    name('ferry'),
    seq(time(new Date(now - 86_400_000)), time(new Date(now + 100 * 365 * 86_400_000))),
    name('ferry'),
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign(null, tbs, privateKey);
  const cert = seq(tbs, ED25519_ALG, der(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const b64 = cert.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64.replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

/** This device's identity from `dir` (the user's Ferry folder), made there on first use. */
export function deviceIdentity(dir: string): DeviceIdentity {
  const path = join(dir, 'device-key.pem');
  let keyPem: string;
  try {
    keyPem = readFileSync(path, 'utf8');
  } catch {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    keyPem = generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    writeFileSync(path, keyPem, { mode: 0o600, flag: 'wx' });
  }
  chmodSync(path, 0o600);
  const privateKey = createPrivateKey(keyPem);
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new FerryError('usage', `${path} does not hold an Ed25519 key`);
  return {
    id: deviceIdOf(rawPublicKey(createPublicKey(privateKey))),
    keyPem,
    certPem: selfSignedCertificate(privateKey),
  };
}
