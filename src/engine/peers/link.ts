/**
 * A Ferry link: TLS 1.3 with both sides' self-signed Ed25519 certificates, each side's device
 * ID computed from the certificate the other presented (identity.ts), then one greeting line
 * each way before the git-annex P2P protocol starts (with the server's `AUTH-SUCCESS`, as
 * p2pstdio). The greeting names what the client wants:
 *
 *     FERRY-LINK 1 <client-uuid> <device-name> <port> repo <server-repo-uuid>   (a paired device)
 *     FERRY-LINK 1 <client-uuid> <device-name> <port> join <invite-id> <proof> (first contact)
 *     LINK-OK <device-name> [<inviter-proof>]  |  LINK-REFUSED <reason>
 *
 * `<port>` is where the client listens itself (0: it does not). Names are percent-encoded. Nothing is read beyond the greeting, so the P2P reader that
 * follows sees every byte after it.
 */
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { Readable } from 'node:stream';
import { FerryError } from '../errors';
import { deviceIdOfCertificate, type DeviceIdentity } from './identity';

export const LINK_VERSION = 1;
/** The port a Ferry device listens on unless told otherwise (`ferry.peerport`, FERRY_PEER_PORT). */
export const DEFAULT_PEER_PORT = 22151;
const GREETING_MAX = 4096;
export const GREETING_MS = 10_000;
const CONNECT_MS = 10_000;

/** One line, read without taking a byte beyond its newline (the rest is put back). */
export function readLine(stream: Readable, ms = GREETING_MS, max = GREETING_MAX): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const finish = (e: Error | undefined, line?: string): void => {
      clearTimeout(timer);
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('close', onEnd);
      stream.off('error', onError);
      if (e) reject(e);
      else resolve(line ?? '');
    };
    const onReadable = (): void => {
      for (
        let chunk = stream.read() as Buffer | null;
        chunk;
        chunk = stream.read() as Buffer | null
      ) {
        buf = Buffer.concat([buf, chunk]);
        const nl = buf.indexOf(10);
        if (nl >= 0) {
          const rest = buf.subarray(nl + 1);
          finish(undefined, buf.toString('utf8', 0, nl));
          if (rest.length > 0) stream.unshift(rest);
          return;
        }
        if (buf.length > max) {
          finish(new FerryError('protocol-error', 'the other device sent an overlong greeting'));
          return;
        }
      }
    };
    const onEnd = (): void =>
      finish(new FerryError('remote-unavailable', 'the other device closed the connection'));
    const onError = (e: Error): void => finish(e);
    const timer = setTimeout(
      () => finish(new FerryError('remote-unavailable', 'the other device did not answer in time')),
      ms,
    );
    stream.on('readable', onReadable);
    stream.once('end', onEnd);
    stream.once('close', onEnd);
    stream.once('error', onError);
    onReadable();
  });
}

/** The keying material both ends of this TLS session share (proofs are bound to it). */
export function sessionBinding(socket: TLSSocket): Buffer {
  return socket.exportKeyingMaterial(32, 'EXPORTER-ferry-link', Buffer.alloc(0));
}

export function encodeName(name: string): string {
  return encodeURIComponent(name.slice(0, 100)) || '-';
}

export function decodeName(text: string | undefined): string {
  try {
    return decodeURIComponent(text ?? '').slice(0, 100);
  } catch {
    return '';
  }
}

export interface OpenedLink {
  readonly socket: TLSSocket;
  readonly peerId: string;
  readonly binding: Buffer;
}

/**
 * Connects to a device at `host:port`. With `expect`, a device presenting another key is
 * refused (`peer-identity`); with `prefix`, one whose ID does not start so.
 */
export function openLink(
  me: DeviceIdentity,
  host: string,
  port: number,
  check: { expect?: string; prefix?: string } = {},
  signal?: AbortSignal,
): Promise<OpenedLink> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host,
      port,
      key: me.keyPem,
      cert: me.certPem,
      rejectUnauthorized: false, // no CA: the device ID is checked below
      minVersion: 'TLSv1.3',
      timeout: CONNECT_MS,
    });
    const fail = (e: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(e);
    };
    const timer = setTimeout(
      () => fail(new FerryError('remote-unavailable', `${host}:${port} did not answer`)),
      CONNECT_MS,
    );
    signal?.addEventListener('abort', () => fail(new Error('stopped')), { once: true });
    socket.once('error', (e: Error) =>
      fail(new FerryError('remote-unavailable', `${host}:${port}: ${e.message}`, {}, e)),
    );
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      socket.setNoDelay(true); // short lines answered at once: no 40 ms Nagle stalls
      socket.removeAllListeners('error');
      socket.on('error', () => undefined);
      socket.setTimeout(0);
      let peerId: string;
      try {
        peerId = deviceIdOfCertificate(socket.getPeerCertificate().raw);
      } catch (e) {
        fail(e as Error);
        return;
      }
      if (check.expect && peerId !== check.expect) {
        fail(
          new FerryError(
            'peer-identity',
            `the device at ${host}:${port} is ${peerId}, not the paired ${check.expect}: refused (another device, or a key that changed)`,
            { expected: check.expect, found: peerId },
          ),
        );
        return;
      }
      if (check.prefix && !peerId.replace(/-/g, '').toLowerCase().startsWith(check.prefix)) {
        fail(
          new FerryError(
            'peer-identity',
            `the device at ${host}:${port} is not the one the code names`,
          ),
        );
        return;
      }
      resolve({ socket, peerId, binding: sessionBinding(socket) });
    });
  });
}

/** Sends the client's greeting and reads the answer: the other side's name and proof, or a refusal. */
export async function greet(
  link: OpenedLink,
  clientUuid: string,
  deviceName: string,
  listenPort: number,
  ask: { repo: string } | { join: string; proof: string },
): Promise<{ name: string; proof?: string }> {
  const what = 'repo' in ask ? `repo ${ask.repo}` : `join ${ask.join} ${ask.proof}`;
  link.socket.write(
    `FERRY-LINK ${LINK_VERSION} ${clientUuid} ${encodeName(deviceName)} ${listenPort} ${what}\n`,
  );
  const reply = await readLine(link.socket);
  const ok = /^LINK-OK (\S+)(?: ([0-9a-f]{64}))?$/.exec(reply);
  if (ok) return { name: decodeName(ok[1]), proof: ok[2] };
  link.socket.destroy();
  const refused = /^LINK-REFUSED (.*)$/.exec(reply);
  if (refused)
    throw new FerryError(
      'auth-failed',
      `${link.peerId.slice(0, 7)} refused: ${refused[1]?.slice(0, 200)}`,
    );
  throw new FerryError('protocol-error', 'the other device does not speak Ferry’s link protocol');
}

export interface Greeting {
  readonly clientUuid: string;
  readonly name: string;
  readonly port: number;
  readonly ask: { repo: string } | { join: string; proof: string };
}

/** The client's greeting, as the listener reads it; undefined when it is not one. */
export function parseGreeting(line: string): Greeting | undefined {
  const m = /^FERRY-LINK (\d+) (\S+) (\S+) (\d{1,5}) (repo|join) (\S+)(?: ([0-9a-f]{64}))?$/.exec(
    line,
  );
  if (!m || Number(m[1]) < 1 || !m[2] || !m[6]) return undefined;
  if (!/^[0-9a-f-]{36}$/.test(m[2])) return undefined;
  const base = { clientUuid: m[2], name: decodeName(m[3]), port: Number(m[4]) };
  if (m[5] === 'repo') return { ...base, ask: { repo: m[6] } };
  if (!m[7]) return undefined;
  return { ...base, ask: { join: m[6], proof: m[7] } };
}
