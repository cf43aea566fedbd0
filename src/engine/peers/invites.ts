/**
 * Invites: one-time codes that let another device join a folder. A code holds 40 bits of the
 * inviter's device ID (to find it among the devices announcing themselves) and an 80-bit
 * secret, as 24 base32 characters in groups of four (`ferry join k7qz-...`). Only a digest of
 * the secret's identifier and the secret itself are kept, in `invites.json` (0600) in the
 * user's Ferry folder; a code expires (default one hour) and is used once. Each side proves it
 * knows the secret with an HMAC bound to the TLS session (its exported keying material and
 * both device IDs), the inviter first: a device that only pretends to be the inviter learns
 * nothing it can use, and 80 bits cannot be guessed offline within a code's life.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FerryError } from '../errors';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
export const INVITE_LIFETIME_MS = 60 * 60_000;

export interface InviteCode {
  /** the first 5 bytes of the inviter's device ID digest, as the base32 of the ID's first 8 characters */
  readonly devicePrefix: string;
  readonly secret: Buffer;
}

export interface StoredInvite {
  readonly id: string;
  readonly secret: string;
  readonly path: string;
  readonly uuid: string;
  readonly expires: number;
  used?: number;
  usedBy?: string;
}

function toBase32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = ((value << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

function fromBase32(text: string): Buffer | undefined {
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of text) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) return undefined;
    value = ((value << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The device-ID characters a code carries (its first 8, without dashes), lower case. */
export function devicePrefixOf(deviceId: string): string {
  return deviceId.replace(/-/g, '').slice(0, 8).toLowerCase();
}

export function formatInvite(deviceId: string, secret: Buffer): string {
  const text = devicePrefixOf(deviceId) + toBase32(secret); // 8 + 16 characters
  return (text.match(/.{4}/g) ?? []).join('-');
}

/** A code as typed (any case, dashes or spaces anywhere); undefined when it is not one. */
export function parseInvite(text: string): InviteCode | undefined {
  const s = text.toLowerCase().replace(/[-\s]/g, '');
  if (!/^[a-z2-7]{24}$/.test(s)) return undefined;
  const secret = fromBase32(s.slice(8));
  if (secret?.length !== 10) return undefined;
  return { devicePrefix: s.slice(0, 8), secret };
}

/** What the joiner sends to name an invite without giving its secret away. */
export function inviteId(secret: Buffer): string {
  return createHmac('sha256', secret).update('ferry-invite-id').digest('hex').slice(0, 32);
}

/** One side's proof that it knows the secret, bound to this TLS session and both devices. */
export function inviteProof(
  secret: Buffer,
  role: 'inviter' | 'joiner',
  exporter: Buffer,
  joinerId: string,
  inviterId: string,
): string {
  return createHmac('sha256', secret)
    .update(`ferry-invite-${role}\0${joinerId}\0${inviterId}\0`)
    .update(exporter)
    .digest('hex');
}

export function sameProof(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === 32 && y.length === 32 && timingSafeEqual(x, y);
}

export class InviteStore {
  private readonly file: string;

  constructor(
    private readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.file = join(dir, 'invites.json');
  }

  private read(): StoredInvite[] {
    try {
      const list = JSON.parse(readFileSync(this.file, 'utf8')) as StoredInvite[];
      return Array.isArray(list) ? list : [];
    } catch {
      return [];
    }
  }

  private write(list: readonly StoredInvite[]): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(list, null, 1), { mode: 0o600 });
    renameSync(tmp, this.file);
  }

  /** A new code for the repository at `path`; expired and used invites are forgotten meanwhile. */
  create(deviceId: string, path: string, uuid: string, lifetimeMs = INVITE_LIFETIME_MS): string {
    const secret = randomBytes(10);
    const now = this.now();
    const kept = this.read().filter((i) => i.expires > now && !i.used);
    kept.push({
      id: inviteId(secret),
      secret: secret.toString('hex'),
      path,
      uuid,
      expires: now + lifetimeMs,
    });
    this.write(kept);
    return formatInvite(deviceId, secret);
  }

  /** The invite an identifier names, checked (unknown, expired or used: a clear refusal). */
  find(id: string): StoredInvite & { secretBytes: Buffer } {
    const found = this.read().find((i) => i.id === id);
    if (!found)
      throw new FerryError(
        'auth-failed',
        'this code is not one this device made (mistyped, or made elsewhere)',
      );
    if (found.used)
      throw new FerryError('auth-failed', 'this code was used already: ask for a new one');
    if (found.expires <= this.now())
      throw new FerryError('auth-failed', 'this code has expired: ask for a new one');
    return { ...found, secretBytes: Buffer.from(found.secret, 'hex') };
  }

  /** Marks an invite used (once: a second use is refused). */
  consume(id: string, by: string): void {
    const list = this.read();
    const found = list.find((i) => i.id === id);
    if (!found || found.used) throw new FerryError('auth-failed', 'this code was used already');
    found.used = this.now();
    found.usedBy = by;
    this.write(list);
  }
}
