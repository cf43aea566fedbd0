/**
 * The device listener: TLS 1.3 on one port for every folder this process syncs, mutual
 * certificates pinned by device ID (link.ts), then the git-annex P2P protocol server
 * (p2p/server.ts) on the repository the greeting names. A peer reaches only repositories
 * it is paired with (a remote of that repository names its device); an unpaired device that
 * asks is recorded as pending and refused; a device with a valid invite is paired (both ways:
 * it becomes a `peer` remote here) and served. NOTIFYCHANGE is answered from each repository's
 * ref feed, so a commit here reaches a watching peer at once.
 */
import { createServer, type Server, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { Repository } from '../annex/repository';
import { FerryError } from '../errors';
import { serveP2P } from '../p2p/server';
import type { RefFeed } from '../p2p/ref-changes';
import type { ReceiveResult } from '../git/serve-receive-pack';
import { deviceIdOfCertificate, type DeviceIdentity } from './identity';
import { inviteProof, sameProof, type InviteStore } from './invites';
import { encodeName, parseGreeting, readLine, type Greeting } from './link';
import { trackLink } from './links';
import { recordPeer, pairedDevice } from './pairing';

export interface ServedRepository {
  readonly repo: Repository;
  readonly feed?: RefFeed;
  /** a peer changed content or refs here */
  changed?(what: 'content' | ReceiveResult): void;
  /** records that this repository holds a key a peer stored (in the folder's log batches) */
  recordHeld?(key: string): void;
}

export type ListenerEvent =
  | {
      readonly type: 'pending';
      readonly deviceId: string;
      readonly name: string;
      readonly address: string;
      /** the folder it asked for */
      readonly uuid: string;
      /** its own repository's UUID */
      readonly clientUuid: string;
      /** where it listens (HOST:PORT), when it does */
      readonly listenAddress: string;
    }
  | {
      readonly type: 'paired';
      readonly deviceId: string;
      readonly name: string;
      readonly remote: string;
      readonly top: string;
    }
  | {
      readonly type: 'refused';
      readonly deviceId: string;
      readonly address: string;
      readonly reason: string;
    };

export interface ListenerOptions {
  readonly identity: DeviceIdentity;
  readonly deviceName: string;
  readonly invites: InviteStore;
  readonly host?: string;
  readonly port: number;
  readonly onEvent?: (e: ListenerEvent) => void;
  readonly log?: (line: string) => void;
}

export class PeerListener {
  private server: Server | undefined;
  private readonly served = new Map<string, ServedRepository>();
  private readonly sockets = new Set<TLSSocket>();
  private markReady: () => void = () => undefined;
  /** resolved once the engine serves its folders (a device dialling at start waits for it) */
  private readonly isReady = new Promise<void>((r) => {
    this.markReady = r;
    setTimeout(r, 30_000).unref();
  });

  constructor(private readonly o: ListenerOptions) {}

  /** Every folder this process syncs is served now. */
  ready(): void {
    this.markReady();
  }

  /** Starts listening; the port taken (another if the asked one is 0). */
  async start(): Promise<number> {
    const server = createServer({
      key: this.o.identity.keyPem,
      cert: this.o.identity.certPem,
      requestCert: true,
      rejectUnauthorized: false, // no CA: each device is known by its key
      minVersion: 'TLSv1.3',
      // the protocol is short lines answered at once: Nagle's wait turned each exchange into
      // a 40 ms stall (the other side's delayed acknowledgement)
      noDelay: true,
    });
    server.on('secureConnection', (s) => void this.accept(s));
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.host ?? '0.0.0.0', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  serve(s: ServedRepository): void {
    this.served.set(s.repo.uuid, s);
  }

  unserve(uuid: string): void {
    this.served.delete(uuid);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server = undefined;
  }

  private async accept(socket: TLSSocket): Promise<void> {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    const address = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    let deviceId: string;
    try {
      deviceId = deviceIdOfCertificate(socket.getPeerCertificate().raw);
    } catch {
      socket.destroy();
      return;
    }
    trackLink(socket, deviceId);
    const refuse = (reason: string): void => {
      this.o.onEvent?.({ type: 'refused', deviceId, address, reason });
      socket.end(`LINK-REFUSED ${reason.replace(/\s+/g, ' ')}\n`);
    };
    let greeting: Greeting | undefined;
    try {
      greeting = parseGreeting(await readLine(socket));
    } catch {
      socket.destroy();
      return;
    }
    if (!greeting) return refuse('not a Ferry link greeting');
    try {
      const target = await this.admit(socket, deviceId, greeting, address);
      await serveP2P(
        { input: socket, output: socket },
        {
          repo: target.repo,
          peer: `device ${deviceId.slice(0, 7)}`,
          clientUuid: greeting.clientUuid,
          changes: target.feed,
          onChanged: (what) => target.changed?.(what),
          log: (l) => this.o.log?.(l),
          recordAfterReply: true,
          recordHeld: target.recordHeld?.bind(target),
        },
      );
    } catch (e) {
      if (e instanceof FerryError && (e.code === 'auth-failed' || e.code === 'usage'))
        return refuse(e.message);
      this.o.log?.(`peer ${deviceId.slice(0, 7)}: ${(e as Error).message}`);
    }
    socket.end();
  }

  /** Which repository the greeting may reach (answering LINK-OK), or a refusal thrown. */
  private async admit(
    socket: TLSSocket,
    deviceId: string,
    g: Greeting,
    address: string,
  ): Promise<ServedRepository> {
    const host = socket.remoteAddress ?? '';
    const peerAddress = g.port > 0 ? `${host.includes(':') ? `[${host}]` : host}:${g.port}` : '';
    await this.isReady;
    if ('repo' in g.ask) {
      const target = this.served.get(g.ask.repo);
      const paired = target ? await pairedDevice(target.repo, deviceId) : undefined;
      if (!target || !paired) {
        if (target)
          this.o.onEvent?.({
            type: 'pending',
            deviceId,
            name: g.name,
            address,
            uuid: g.ask.repo,
            clientUuid: g.clientUuid,
            listenAddress: peerAddress,
          });
        throw new FerryError(
          'auth-failed',
          'this device is not paired with that folder here (share it again, or accept the device)',
        );
      }
      if (peerAddress) await recordPeer(target.repo, paired, { lastAddress: peerAddress });
      socket.write(`LINK-OK ${encodeName(this.o.deviceName)}\n`);
      return target;
    }
    const invite = this.o.invites.find(g.ask.join);
    const binding = socket.exportKeyingMaterial(32, 'EXPORTER-ferry-link', Buffer.alloc(0));
    const expected = inviteProof(
      invite.secretBytes,
      'joiner',
      binding,
      deviceId,
      this.o.identity.id,
    );
    if (!sameProof(expected, g.ask.proof))
      throw new FerryError('auth-failed', 'the code does not match (mistyped?)');
    const target = this.served.get(invite.uuid);
    if (!target)
      throw new FerryError(
        'auth-failed',
        'the shared folder is not being synced on this device right now (start Ferry there)',
      );
    this.o.invites.consume(g.ask.join, deviceId);
    const remote = await recordPeer(target.repo, undefined, {
      deviceId,
      uuid: g.clientUuid,
      name: g.name,
      lastAddress: peerAddress || undefined,
    });
    this.o.onEvent?.({ type: 'paired', deviceId, name: g.name, remote, top: target.repo.top });
    const proof = inviteProof(invite.secretBytes, 'inviter', binding, deviceId, this.o.identity.id);
    socket.write(`LINK-OK ${encodeName(this.o.deviceName)} ${proof}\n`);
    return target;
  }
}
