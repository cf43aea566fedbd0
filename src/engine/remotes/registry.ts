/**
 * The remote kinds Ferry knows, in one list: which configuration makes which kind. A remote no
 * kind takes (a git-annex special remote, a network URL) is still listed, as `unsupported`,
 * with why. Adding a kind is its file behind `Remote` and one line here (see ARCHITECTURE.md).
 */
import type { Repository } from '../annex/repository';
import type { RemoteInfo } from './git-remotes';
import { LocalRepoRemote } from './local-repo';
import { FerryError } from '../errors';
import type { GitTransport, Remote, RemoteKind } from './remote';
import { UnsupportedRemote, unsupportedMessage } from './unsupported';

interface KindEntry {
  readonly kind: RemoteKind;
  /** whether this kind takes the remote `info` describes */
  takes(info: RemoteInfo): boolean;
  open(base: Repository, info: RemoteInfo): Promise<Remote>;
  /** git history only (the remote need not be a git-annex repository); absent: no history */
  gitTransport?(info: RemoteInfo): GitTransport;
}

export const REMOTE_KINDS: readonly KindEntry[] = [
  {
    kind: 'local-repo',
    takes: (info) => info.path !== undefined && info.specialType === undefined,
    open: (base, info) => LocalRepoRemote.open(base, info),
    gitTransport: (info) => LocalRepoRemote.gitTransport(info),
  },
];

/** The kind that takes this remote, or `unsupported`. */
export function remoteKind(info: RemoteInfo): RemoteKind {
  return REMOTE_KINDS.find((k) => k.takes(info))?.kind ?? 'unsupported';
}

/** Opens a remote as its kind (throws when a kind cannot reach it; unsupported ones never throw). */
export function openRemote(base: Repository, info: RemoteInfo): Promise<Remote> {
  const entry = REMOTE_KINDS.find((k) => k.takes(info));
  return entry ? entry.open(base, info) : Promise.resolve(new UnsupportedRemote(info));
}

/** The git transport of a remote, for sync (throws with why when it has none or is unreachable). */
export function openGitTransport(info: RemoteInfo): GitTransport {
  const entry = REMOTE_KINDS.find((k) => k.takes(info));
  if (!entry?.gitTransport)
    throw new FerryError('remote-unavailable', unsupportedMessage(info), { remote: info.name });
  return entry.gitTransport(info);
}
