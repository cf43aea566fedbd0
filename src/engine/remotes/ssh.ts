/**
 * A git-annex repository on an ssh host (`user@host:path`, `ssh://user@host:port/path`):
 * content through `git-annex-shell p2pstdio` (the P2P protocol, engine/p2p/), over the shared
 * ssh connection of engine/ssh/. The host keeps its own bookkeeping: it records its copy on
 * PUT and its transfer claims itself, so this kind has no `bookkeeping`. Sessions are pooled
 * and content moves as every P2P kind moves it (p2p-content.ts).
 */
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
import type { Availability, ChangeCallbacks, ChangeWatch, GitTransport, Remote } from './remote';
import { P2PContentRemote } from './p2p-content';
import { watchNotifyChanges } from '../ssh/notices';
import { sshConfigList, sshContext, sshGitTransport, targetOf } from '../ssh/git-transport';

export class SshRemote extends P2PContentRemote implements Remote {
  readonly kind = 'ssh' as const;
  readonly name: string;
  readonly cost: number;

  readonly git: GitTransport;

  private constructor(
    readonly info: RemoteInfo,
    readonly uuid: string,
    private readonly ourUuid: string,
    private readonly ctx: SshContext,
    readonly target: SshTarget,
    private readonly shell: string,
  ) {
    super();
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

  protected async openSession(): Promise<P2PSession> {
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

  /** Ends the pooled sessions and the shared connection (the folder stops syncing). */
  async close(): Promise<void> {
    this.closeSessions();
    await stopMaster(this.ctx, this.target);
  }
}
