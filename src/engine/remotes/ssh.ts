/**
 * A git-annex repository on an ssh host (`user@host:path`, `ssh://user@host:port/path`):
 * content through `git-annex-shell p2pstdio` (the P2P protocol, engine/p2p/), over the shared
 * ssh connection of engine/ssh/. The host keeps its own bookkeeping: it records its copy on
 * PUT and its transfer claims itself, so this kind has no `bookkeeping`. Sessions are pooled:
 * several transfers with one host run at once, each on its own session.
 */
import { promises as fsp } from 'node:fs';
import type { ObjectSource, StreamSource } from '../annex/receive';
import { receiveFromFile } from '../annex/receive';
import { fileBytes } from './file-bytes';
import { keyHasher, matchesKey } from '../annex/object-store';
import type { Repository } from '../annex/repository';
import { FerryError, isFerryError } from '../errors';
import { getConfig, setConfig } from '../git/read';
import { P2PSession } from '../p2p/client';
import { processConnection } from '../p2p/process-connection';
import { runSsh, sshArgv, stopMaster, type SshContext } from '../ssh/command';
import { markDown, markUp, onHostUp, sshAvailability } from '../ssh/health';
import { classifySsh, sshError } from '../ssh/problems';
import { describeTarget, shellQuote, type SshTarget } from '../ssh/url';
import type { RemoteInfo } from './git-remotes';
import type {
  Availability,
  ChangeCallbacks,
  ChangeWatch,
  ContentLock,
  GitTransport,
  MoveOptions,
  Remote,
} from './remote';
import { watchNotifyChanges } from '../ssh/notices';
import { sshConfigList, sshContext, sshGitTransport, targetOf } from '../ssh/git-transport';

/** Idle sessions kept per host for the next transfer. */
const IDLE_KEPT = 4;

export class SshRemote implements Remote {
  readonly kind = 'ssh' as const;
  readonly name: string;
  readonly cost: number;
  private readonly idle: P2PSession[] = [];

  readonly git: GitTransport;

  private constructor(
    readonly info: RemoteInfo,
    readonly uuid: string,
    private readonly ourUuid: string,
    private readonly ctx: SshContext,
    readonly target: SshTarget,
    private readonly shell: string,
  ) {
    this.name = info.name;
    this.cost = info.cost;
    this.git = SshRemote.gitTransport(info);
  }

  /** Git history with the host (see ssh/git-transport.ts). */
  static gitTransport(info: RemoteInfo): GitTransport {
    return sshGitTransport(info);
  }

  /** Change notices from the host (`git-annex-shell notifychanges`), see ssh/notices.ts. */
  static async watchChanges(
    base: Repository,
    info: RemoteInfo,
    cb: ChangeCallbacks,
  ): Promise<ChangeWatch> {
    const shell =
      (await getConfig(base.git, `remote.${info.name}.annex-shell`)) ?? 'git-annex-shell';
    const watch = watchNotifyChanges(await sshContext(base), targetOf(info), cb, shell, info.url);
    // the host was reached again by other work (a probe, a transfer): watch again at once
    const off = onHostUp(info.url, () => watch.retryNow());
    return {
      retryNow: () => watch.retryNow(),
      close: () => {
        off();
        watch.close();
      },
    };
  }

  static async open(base: Repository, info: RemoteInfo): Promise<SshRemote> {
    const target = targetOf(info);
    const ctx = await sshContext(base);
    const shell =
      (await getConfig(base.git, `remote.${info.name}.annex-shell`)) ?? 'git-annex-shell';
    let uuid = info.uuid;
    if (!uuid) {
      uuid = await sshConfigList(ctx, target, info.url, info.name, shell);
      if (!uuid)
        throw new FerryError(
          'not-initialized',
          `${describeTarget(target)} is a git repository without git-annex (run "git annex init" there)`,
          { remote: info.name },
        );
      await setConfig(base.git, `remote.${info.name}.annex-uuid`, uuid);
    }
    return new SshRemote(info, uuid, base.uuid, ctx, target, shell);
  }

  /** Availability from what is known of the host; a down host is probed again now and then. */
  static availabilityAt(info: Pick<RemoteInfo, 'name' | 'url'>): Availability {
    const url = info.url;
    return sshAvailability(url, async () => {
      const t = targetOf(info);
      const ctx: SshContext = {
        top: '/',
        annexdir: '/',
        env: process.env,
        settings: { caching: false },
      };
      const r = await runSsh(ctx, t, 'true');
      if (r.code === 0) markUp(url);
      else {
        const p = classifySsh(r.stderr, t);
        markDown(url, p.kind, p.message);
      }
    });
  }

  availability(): Availability {
    return SshRemote.availabilityAt(this.info);
  }

  private async session(): Promise<P2PSession> {
    for (let s = this.idle.pop(); s; s = this.idle.pop()) {
      if (!s.isUsable) continue;
      s.hold(true);
      return s;
    }
    const command = [
      this.shell,
      shellQuote('p2pstdio'),
      shellQuote(this.target.path),
      shellQuote(this.ourUuid),
      '--uuid',
      shellQuote(this.uuid),
    ].join(' ');
    // the shared connection first, so no session's pipes are held by a backgrounded master
    if (this.idle.length === 0) await this.warm();
    const conn = processConnection(
      sshArgv(this.ctx, this.target, command),
      this.ctx.env,
      this.ctx.top,
    );
    try {
      const s = await P2PSession.open(conn, this.name, this.uuid);
      markUp(this.info.url);
      return s;
    } catch (e) {
      const said = conn.problem();
      if (isFerryError(e, 'protocol-error') || !said.trim()) throw e;
      const problem = classifySsh(said, this.target);
      if (problem.kind !== 'not-a-repository')
        markDown(this.info.url, problem.kind, problem.message);
      throw sshError(problem, this.name);
    }
  }

  private warmed = false;

  private async warm(): Promise<void> {
    if (this.warmed) return;
    const r = await runSsh(this.ctx, this.target, 'true');
    if (r.code !== 0) {
      const problem = classifySsh(r.stderr, this.target);
      markDown(this.info.url, problem.kind, problem.message);
      throw sshError(problem, this.name);
    }
    this.warmed = true;
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

  async store(key: string, source: ObjectSource, options: MoveOptions = {}): Promise<void> {
    if (typeof source === 'object' && 'open' in source)
      throw new FerryError('usage', 'an ssh remote stores from a file');
    const path = typeof source === 'string' ? source : source.path;
    const size = (await fsp.stat(path)).size;
    await this.withSession(async (s) => {
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

  /** Ends the pooled sessions and the shared connection (the folder stops syncing). */
  async close(): Promise<void> {
    for (const s of this.idle.splice(0)) s.close();
    await stopMaster(this.ctx, this.target);
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
