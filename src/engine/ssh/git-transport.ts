/**
 * What the ssh kind needs around its connection: the context ssh runs in for a repository, the
 * host's UUID (`configlist`), and git history with the host: upload-pack and receive-pack over
 * the shared connection, through the pack protocol clients of engine/git/.
 */
import { join } from 'node:path';
import type { Repository } from '../annex/repository';
import { FerryError } from '../errors';
import type { GitContext } from '../git/context';
import { fetchPack } from '../git/fetch-pack';
import type { ServiceConnector } from '../git/pack-service';
import { sendPack } from '../git/send-pack';
import { getConfig } from '../git/read';
import type { RemoteInfo } from '../remotes/git-remotes';
import type { GitTransport } from '../remotes/remote';
import { runSsh, type SshContext } from './command';
import { markDown, markUp } from './health';
import { classifySsh, sshError } from './problems';
import { sshServiceConnector } from './service';
import { parseSshUrl, shellQuote, type SshTarget } from './url';

/** When each repository last started or found its shared connection to a host (by top and URL). */
const warmedAt = new Map<string, number>();
/** How long a started shared connection is trusted to be there (it outlives its last use by a minute). */
const WARM_FOR_MS = 20_000;

export async function sshContext(
  base: Pick<Repository, 'top' | 'annexdir' | 'git'>,
): Promise<SshContext> {
  return {
    top: base.top,
    annexdir: base.annexdir,
    env: process.env,
    settings: {
      sshCommand: await getConfig(base.git, 'core.sshCommand'),
      caching: (await getConfig(base.git, 'annex.sshcaching')) !== 'false',
    },
  };
}

/** The repository a git context belongs to, as far as ssh needs it (its top and annex folder). */
export function baseOf(local: GitContext): Pick<Repository, 'top' | 'annexdir' | 'git'> {
  return { top: local.dir, annexdir: join(local.gitdir, 'annex'), git: local };
}

export function targetOf(info: Pick<RemoteInfo, 'name' | 'url'>): SshTarget {
  const t = parseSshUrl(info.url);
  if (!t) throw new FerryError('usage', `${info.url} is not an ssh URL`, { remote: info.name });
  return t;
}

/** Asks the host for the repository's UUID (`git-annex-shell configlist`), starting the shared connection. */
export async function sshConfigList(
  ctx: SshContext,
  t: SshTarget,
  url: string,
  name: string,
  shell = 'git-annex-shell',
): Promise<string | undefined> {
  const r = await runSsh(ctx, t, `${shell} ${shellQuote('configlist')} ${shellQuote(t.path)}`);
  if (r.code !== 0) {
    const problem = classifySsh(r.stderr, t);
    markDown(url, problem.kind, problem.message);
    throw sshError(problem, name);
  }
  markUp(url);
  const uuid = /^annex\.uuid=(.*)$/m.exec(r.stdout)?.[1]?.trim();
  return uuid || undefined;
}

/**
 * Git history with the host: upload-pack and receive-pack over the shared connection (the
 * pack protocol clients of engine/git/). The branch itself is offered too, as `git annex sync`
 * offers it: a bare host takes it, a host with it checked out refuses it (and merges synced/<b>).
 */
export function sshGitTransport(info: RemoteInfo): GitTransport {
  const target = targetOf(info);
  const connect = async (local: GitContext): Promise<ServiceConnector> => {
    const ctx = await sshContext(baseOf(local));
    const programs = {
      'git-upload-pack': await getConfig(local, `remote.${info.name}.uploadpack`),
      'git-receive-pack': await getConfig(local, `remote.${info.name}.receivepack`),
    };
    // the shared connection was started (or found) recently: no need to look again
    const key = `${ctx.top}\0${info.url}`;
    if (Date.now() - (warmedAt.get(key) ?? 0) < WARM_FOR_MS)
      return sshServiceConnector(ctx, target, programs);
    const r = await runSsh(ctx, target, 'true');
    if (r.code !== 0) {
      warmedAt.delete(key);
      const problem = classifySsh(r.stderr, target);
      markDown(info.url, problem.kind, problem.message);
      throw sshError(problem, info.name);
    }
    markUp(info.url);
    warmedAt.set(key, Date.now());
    return sshServiceConnector(ctx, target, programs);
  };
  let ctxFor: GitContext | undefined;
  return {
    takesBranch: true,
    fetch: async (local, localDb, signal) => {
      ctxFor = local;
      return fetchPack(local, localDb, info.name, await connect(local), signal);
    },
    push: async (local, updates, signal) => {
      ctxFor = local;
      return sendPack(local, await connect(local), info.name, updates, signal);
    },
    annexUuid: async () => {
      if (info.uuid) return info.uuid;
      if (!ctxFor) return undefined;
      return sshConfigList(await sshContext(baseOf(ctxFor)), target, info.url, info.name);
    },
  };
}
