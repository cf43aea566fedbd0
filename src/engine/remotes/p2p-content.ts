/**
 * What every remote reached through the git-annex P2P protocol shares (an ssh host's
 * `git-annex-shell p2pstdio`, a Ferry device's link): a pool of sessions (several transfers at
 * once, each on its own; idle ones kept), and the content operations on one key over a session.
 * The other side keeps its own bookkeeping: it records its copy on PUT and its transfer claims
 * itself, so these kinds have no `bookkeeping`. A kind says only how a session is opened.
 */
import { promises as fsp } from 'node:fs';
import type { ObjectSource, StreamSource } from '../annex/receive';
import { receiveFromFile } from '../annex/receive';
import { keyHasher, matchesKey } from '../annex/object-store';
import type { Repository } from '../annex/repository';
import { FerryError, isFerryError } from '../errors';
import type { P2PSession } from '../p2p/client';
import { fileBytes } from './file-bytes';
import type { ContentLock, MoveOptions } from './remote';

/** Idle sessions kept per remote for the next transfer (as many as small files run at once). */
const IDLE_KEPT = 16;

export abstract class P2PContentRemote {
  abstract readonly name: string;
  protected readonly idle: P2PSession[] = [];

  /** A new session with the other side (authenticated, version negotiated). */
  protected abstract openSession(): Promise<P2PSession>;

  private async session(): Promise<P2PSession> {
    for (let s = this.idle.pop(); s; s = this.idle.pop()) {
      if (!s.isUsable) continue;
      s.hold(true);
      return s;
    }
    return this.openSession();
  }

  private done(s: P2PSession): void {
    if (s.isUsable && this.idle.length < IDLE_KEPT) {
      s.hold(false);
      this.idle.push(s);
    } else s.close();
  }

  private async withSession<T>(work: (s: P2PSession) => Promise<T>): Promise<T> {
    const s = await this.session();
    try {
      return await work(s);
    } finally {
      this.done(s);
    }
  }

  hasKey(key: string): Promise<boolean> {
    return this.withSession((s) => s.checkPresent(key));
  }

  async lockContent(key: string): Promise<ContentLock | undefined> {
    const s = await this.session();
    const lock = await s.lockContent(key).catch((e: unknown) => {
      this.done(s);
      throw e;
    });
    if (!lock) {
      this.done(s);
      return undefined;
    }
    return {
      release: () => {
        lock.release();
        this.done(s);
      },
    };
  }

  /**
   * Present on the host; when `thorough` (it would be the only other copy), its bytes read
   * through and hashed here (nothing is stored): the host's word alone is not proof.
   */
  async checkCopy(key: string, thorough: boolean): Promise<boolean> {
    if (!thorough) return this.hasKey(key);
    return this.withSession(async (s) => {
      const got = await s.get(key, '', 0);
      const hasher = keyHasher(key);
      let size = 0;
      let ok: boolean;
      try {
        for await (const chunk of got.bytes) {
          hasher?.update(chunk);
          size += chunk.length;
        }
        ok = matchesKey(key, hasher?.digest('hex'), size);
      } catch (e) {
        if (isFerryError(e, 'content-missing') || isFerryError(e, 'checksum-mismatch'))
          return false;
        throw e;
      }
      await got.finish(ok);
      return ok;
    });
  }

  /** PUT answers ALREADY-HAVE: an upload goes without a CHECKPRESENT first */
  readonly storeSaysPresent = true;

  async store(
    key: string,
    source: ObjectSource,
    options: MoveOptions = {},
  ): Promise<void | 'already-there'> {
    if (typeof source === 'object' && 'open' in source)
      throw new FerryError('usage', `${this.name} stores from a file`);
    const path = typeof source === 'string' ? source : source.path;
    const size = (await fsp.stat(path)).size;
    return this.withSession(async (s) => {
      const result = await s
        .put(key, '', (offset) => ({
          length: size - offset,
          bytes: fileBytes(path, offset, undefined, options),
        }))
        .catch(async (e: unknown) => {
          if (!isFerryError(e, 'remote-unavailable')) throw e;
          // the host ended the session mid-way: its last words say why (a full disk, ...)
          await s.ended(2000);
          const said = hostSaid(s, '');
          throw new FerryError(
            'remote-unavailable',
            `${this.name} did not take ${key}${said || ' (the connection was lost)'}; nothing was recorded there`,
            { remote: this.name, key },
            e,
          );
        });
      if (result === 'refused')
        throw new FerryError(
          'io-error',
          `${this.name} refused ${key}${hostSaid(s)}; nothing was recorded there`,
          { remote: this.name, key },
        );
      return result === 'already-there' ? 'already-there' : undefined;
    });
  }

  async retrieve(key: string, into: Repository, options: MoveOptions = {}): Promise<boolean> {
    const pending: { s: P2PSession; finish: (ok: boolean) => Promise<void> }[] = [];
    const source: StreamSource = {
      open: async (offset) => {
        const s = await this.session();
        try {
          const got = await s.get(key, '', offset);
          pending.push({ s, finish: (ok) => got.finish(ok) });
          return got.bytes;
        } catch (e) {
          this.done(s);
          throw e;
        }
      },
    };
    let ok = false;
    try {
      await receiveFromFile(into, key, source, options);
      ok = true;
      return true;
    } catch (e) {
      if (isFerryError(e, 'content-missing')) return false;
      throw e;
    } finally {
      for (const p of pending) {
        await Promise.race([p.finish(ok), new Promise((r) => setTimeout(r, 5000).unref())]).catch(
          () => undefined,
        );
        this.done(p.s);
      }
    }
  }

  async remove(key: string, check: () => Promise<void>): Promise<boolean> {
    await check();
    return this.withSession(async (s) => {
      try {
        if (await s.remove(key)) return true;
      } catch (e) {
        // git-annex-shell ends the session when it cannot take the content's lock
        if (!isFerryError(e, 'remote-unavailable')) throw e;
      }
      throw new FerryError(
        'lock-busy',
        `${this.name} kept its copy of ${key}: it is locked or in use there${hostSaid(s, '')}`,
        { remote: this.name, key },
      );
    });
  }

  /** Ends the pooled sessions. */
  protected closeSessions(): void {
    for (const s of this.idle.splice(0)) s.close();
  }
}

function hostSaid(
  s: P2PSession,
  otherwise = ' (its copy did not verify, or its disk is full)',
): string {
  const said = hostReason(s.said());
  return said ? ` (${said.slice(0, 200)})` : otherwise;
}

/** git-annex's generic closing lines, said after the line with the reason. */
const FOLLOW_UPS = [/^p2pstdio: \d+ failed$/, /^git-annex: transfer already in progress/];

/** The host's own reason among the last words of its stderr. */
function hostReason(said: string): string | undefined {
  const lines = said
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-6);
  const reason = lines.find((l) => !FOLLOW_UPS.some((f) => f.test(l))) ?? lines.at(-1);
  return reason && /No space left on device/i.test(reason) ? 'its disk is full' : reason;
}
