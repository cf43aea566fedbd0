/**
 * A paired Ferry device (`ferry::<device-id>/<uuid>`): the git-annex P2P protocol over a Ferry
 * link (engine/peers/: TLS 1.3, the device's key pinned), content as every P2P kind moves it
 * (p2p-content.ts), git history through CONNECT to the device's own git-upload-pack and
 * git-receive-pack, and change notices through NOTIFYCHANGE, so a commit there is pulled here
 * at once. The device keeps its own bookkeeping, as an ssh host does.
 */
import { openRepository, type Repository } from '../annex/repository';
import { FerryError, isFerryError } from '../errors';
import type { GitContext } from '../git/context';
import { fetchPack } from '../git/fetch-pack';
import type { ServiceConnector } from '../git/pack-service';
import { sendPack } from '../git/send-pack';
import { P2PSession } from '../p2p/client';
import { connectService, waitForChange } from '../p2p/connect-client';
import { onPeerNews, peerContext, peerState } from '../peers/context';
import { dialPeer } from '../peers/dial';
import { parsePeerUrl } from '../peers/peer-url';
import type { RemoteInfo } from './git-remotes';
import { P2PContentRemote } from './p2p-content';
import type { Availability, ChangeCallbacks, ChangeWatch, GitTransport, Remote } from './remote';

/** A notice session is renewed this often (a link that died silently is noticed by then). */
const NOTICE_RENEW_MS = 60_000;
/** A fetch or push on a link that moved no bytes for this long is over (the link died). */
const GIT_STALL_MS = 20_000;

function uuidOf(info: Pick<RemoteInfo, 'name' | 'url' | 'uuid'>): string {
  const uuid = info.uuid ?? parsePeerUrl(info.url)?.uuid;
  if (!uuid)
    throw new FerryError('usage', `${info.url} is not a Ferry device address`, {
      remote: info.name,
    });
  return uuid;
}

export class PeerRemote extends P2PContentRemote implements Remote {
  readonly kind = 'peer' as const;
  readonly name: string;
  readonly cost: number;
  readonly uuid: string;
  readonly git: GitTransport;

  private constructor(
    readonly info: RemoteInfo,
    private readonly base: Repository,
  ) {
    super();
    this.name = info.name;
    this.cost = info.cost;
    this.uuid = uuidOf(info);
    this.git = PeerRemote.gitTransport(info);
  }

  static takes(url: string): boolean {
    return parsePeerUrl(url) !== undefined;
  }

  static open(base: Repository, info: RemoteInfo): Promise<PeerRemote> {
    return Promise.resolve(new PeerRemote(info, base));
  }

  /** Down when the last attempt failed (until a later one, or discovery, finds it). */
  static availabilityAt(info: Pick<RemoteInfo, 'url'>): Availability {
    const p = parsePeerUrl(info.url);
    const s = p ? peerState(p.deviceId) : undefined;
    if (s?.state !== 'offline') return { state: 'up' };
    // announced on the LAN since the last failed attempt: worth trying again
    const seen = p ? peerContext().finder?.find(p.deviceId) : undefined;
    if (seen && seen.seen > s.since) return { state: 'up' };
    return {
      state: 'down',
      reason: 'unreachable',
      message: `offline since ${new Date(s.since).toLocaleTimeString()} (${s.message})`,
    };
  }

  availability(): Availability {
    return PeerRemote.availabilityAt(this.info);
  }

  protected async openSession(): Promise<P2PSession> {
    const d = await dialPeer(this.base, this.name, this.info.url);
    return P2PSession.open(d.conn, this.name, this.uuid);
  }

  static gitTransport(info: RemoteInfo): GitTransport {
    const uuid = uuidOf(info);
    const connector =
      (repo: Repository): ServiceConnector =>
      (service) =>
        connectService(
          async () => {
            const d = await dialPeer(repo, info.name, info.url);
            d.stallAfter(GIT_STALL_MS);
            return d.conn;
          },
          service,
          info.name,
          uuid,
        );
    const repoOf = (local: GitContext): Promise<Repository> => openRepository(local.dir);
    return {
      takesBranch: false,
      fetch: async (local, localDb, signal) =>
        fetchPack(local, localDb, info.name, connector(await repoOf(local)), signal),
      push: async (local, updates, signal) =>
        sendPack(local, connector(await repoOf(local)), info.name, updates, signal),
      annexUuid: () => Promise.resolve(uuid),
    };
  }

  /** NOTIFYCHANGE kept open (renewed every minute), reconnecting with a 1-30 s backoff. */
  static watchChanges(
    base: Repository,
    info: RemoteInfo,
    cb: ChangeCallbacks,
  ): Promise<ChangeWatch> {
    const uuid = uuidOf(info);
    let stopped = false;
    let current: { close(): void } | undefined;
    let wake: (() => void) | undefined;
    const pause = (ms: number): Promise<void> =>
      new Promise((r) => {
        const t = setTimeout(r, ms);
        t.unref();
        wake = () => {
          clearTimeout(t);
          r();
        };
      });
    const target = parsePeerUrl(info.url);
    // the device announced itself, or this one's network changed: try again now
    const unsubscribe = onPeerNews((id) => {
      if (id === undefined || id === target?.deviceId) wake?.();
    });
    void (async () => {
      let delay = 1000;
      let isUp: boolean | undefined;
      while (!stopped) {
        try {
          const d = await dialPeer(base, info.name, info.url);
          current = d.conn;
          if (stopped) break;
          if (isUp !== true) cb.state((isUp = true));
          delay = 1000;
          const shas = await waitForChange(d.conn, info.name, uuid, NOTICE_RENEW_MS);
          d.conn.close();
          if (shas.length > 0) cb.changed(shas);
        } catch (e) {
          current?.close();
          if (stopped) break;
          if (
            isFerryError(e, 'remote-unavailable') &&
            /stopped answering/.test((e as Error).message) &&
            isUp
          )
            continue; // the renewal: open a fresh notice session
          if (isUp !== false) cb.state((isUp = false), (e as Error).message);
          await pause(delay);
          delay = Math.min(delay * 2, 30_000);
        }
      }
    })();
    return Promise.resolve({
      retryNow: () => wake?.(),
      close: () => {
        stopped = true;
        unsubscribe();
        current?.close();
        wake?.();
      },
    });
  }

  close(): Promise<void> {
    this.closeSessions();
    return Promise.resolve();
  }
}
