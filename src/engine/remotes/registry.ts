/**
 * The remote kinds Ferry knows, in one list: which configuration makes which kind. A remote no
 * kind takes (a git-annex special remote, a network URL) is still listed, as `unsupported`,
 * with why. Adding a kind is its file behind `Remote` and one line here (see ARCHITECTURE.md).
 */
import type { Repository } from '../annex/repository';
import type { RemoteInfo } from './git-remotes';
import { LocalRepoRemote } from './local-repo';
import { SshRemote } from './ssh';
import { PeerRemote } from './peer';
import { parseSshUrl } from '../ssh/url';
import { FerryError } from '../errors';
import type {
  Availability,
  ChangeCallbacks,
  ChangeWatch,
  GitTransport,
  Remote,
  RemoteKind,
} from './remote';
import { UnsupportedRemote, unsupportedMessage } from './unsupported';
import { openSpecial, type SpecialKind } from './special-kind';
import { isAnnexUrl } from '../special/annex-url';
import { SpecialHistory } from '../special/git-history';
import { pollHistory } from '../special/history-poll';
import { openRepository } from '../annex/repository';
import { getConfig } from '../git/read';
import { DIRECTORY_KIND } from '../special/directory-store';
import { S3_KIND } from '../special/s3-kind';
import { WEBDAV_KIND } from '../special/webdav-store';
import { EXTERNAL_KIND } from '../special/external-store';

/** The entry of a special remote kind: taken by remote.log's `type=`; history when its URL is annex::. */
function specialEntry(kind: SpecialKind): KindEntry {
  return {
    kind: kind.kind,
    takes: (info) => info.specialType?.toLowerCase() === kind.type.toLowerCase(),
    availability: (info) => kind.availability(info),
    open: (base, info) => openSpecial(kind, base, info),
    carriesGit: (info) => isAnnexUrl(info.url),
    gitTransport: (info) =>
      new SpecialHistory(info.name, info.uuid ?? '', async (local) =>
        openSpecial(kind, await openRepository(local.dir), info),
      ),
    watchChanges: async (base, info, cb) => {
      if (!isAnnexUrl(info.url)) throw new FerryError('usage', `${info.name} carries no history`);
      const remote = await openSpecial(kind, base, info);
      const every = Number(await getConfig(base.git, `remote.${info.name}.ferry-pollinterval`));
      return pollHistory(base.gitdir, remote, cb, every > 0 ? every * 1000 : undefined);
    },
  };
}

/** The special remote kinds, for initremote and enableremote. */
export const SPECIAL_KINDS: readonly SpecialKind[] = [
  DIRECTORY_KIND,
  S3_KIND,
  WEBDAV_KIND,
  EXTERNAL_KIND,
];

/** What availability is judged from: a remote's configuration, before anything is opened. */
export type RemoteConfig = Pick<RemoteInfo, 'name' | 'url' | 'path' | 'specialType'> &
  Partial<Pick<RemoteInfo, 'uuid' | 'specialLocation'>>;

interface KindEntry {
  readonly kind: RemoteKind;
  /** whether this kind takes the remote `info` describes */
  takes(info: RemoteConfig): boolean;
  /** whether it can be used now, without opening it (cheap: asked for every link of the map) */
  availability(info: RemoteConfig): Availability;
  open(base: Repository, info: RemoteInfo): Promise<Remote>;
  /** git history only (the remote need not be a git-annex repository); absent: no history */
  gitTransport?(info: RemoteInfo): GitTransport;
  /** whether this remote carries history (absent: whenever the kind has a transport) */
  carriesGit?(info: RemoteConfig): boolean;
  /** change notices: told at once when the remote's refs move; absent: none */
  watchChanges?(base: Repository, info: RemoteInfo, cb: ChangeCallbacks): Promise<ChangeWatch>;
}

export const REMOTE_KINDS: readonly KindEntry[] = [
  {
    kind: 'local-repo',
    takes: (info) => info.path !== undefined && info.specialType === undefined,
    availability: (info) => LocalRepoRemote.availabilityAt(info),
    open: (base, info) => LocalRepoRemote.open(base, info),
    gitTransport: (info) => LocalRepoRemote.gitTransport(info),
  },
  {
    kind: 'peer',
    takes: (info) => info.path === undefined && PeerRemote.takes(info.url),
    availability: (info) => PeerRemote.availabilityAt(info),
    open: (base, info) => PeerRemote.open(base, info),
    gitTransport: (info) => PeerRemote.gitTransport(info),
    watchChanges: (base, info, cb) => PeerRemote.watchChanges(base, info, cb),
  },
  {
    kind: 'ssh',
    takes: (info) =>
      info.path === undefined &&
      info.specialType === undefined &&
      parseSshUrl(info.url) !== undefined,
    availability: (info) => SshRemote.availabilityAt(info),
    open: (base, info) => SshRemote.open(base, info),
    gitTransport: (info) => SshRemote.gitTransport(info),
    watchChanges: (base, info, cb) => SshRemote.watchChanges(base, info, cb),
  },
  ...SPECIAL_KINDS.map(specialEntry),
];

/** Whether the remote can be used now, as its kind judges it (never opened for this). */
export function availabilityOf(info: RemoteConfig): Availability {
  const entry = REMOTE_KINDS.find((k) => k.takes(info));
  return entry
    ? entry.availability(info)
    : { state: 'down', reason: 'not-supported', message: unsupportedMessage(info) };
}

/** The kind that takes this remote, or `unsupported`. */
export function remoteKind(info: RemoteConfig): RemoteKind {
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
  if (!entry?.gitTransport || entry.carriesGit?.(info) === false)
    throw new FerryError('remote-unavailable', unsupportedMessage(info), { remote: info.name });
  return entry.gitTransport(info);
}

/** Watches a remote's refs where its kind can (undefined: it cannot; the assistant then pulls on its own triggers). */
export function watchRemoteChanges(
  base: Repository,
  info: RemoteInfo,
  cb: ChangeCallbacks,
): Promise<ChangeWatch> | undefined {
  const entry = REMOTE_KINDS.find((k) => k.takes(info));
  if (entry?.carriesGit?.(info) === false) return undefined;
  return entry?.watchChanges?.(base, info, cb);
}

/** Whether a remote carries git history (its kind has a git transport). */
export function carriesGit(info: RemoteConfig): boolean {
  const entry = REMOTE_KINDS.find((k) => k.takes(info));
  if (!entry?.gitTransport) return false;
  return entry.carriesGit?.(info) ?? true;
}

/** Whether a repository at a path of this machine is there now (a forwarding link's two ends). */
export function isPathUp(path: string): boolean {
  return LocalRepoRemote.availabilityAt({ path, url: path }).state === 'up';
}
