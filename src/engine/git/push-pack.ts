/**
 * `git push` to a git service on another machine (`git-receive-pack` over ssh), with no git
 * binary: isomorphic-git's push (it finds what the host lacks, packs it, checks fast-forward)
 * through an adapter that carries its smart-HTTP requests over the service's stdio (the
 * advertisement for GET info/refs, the request and report for POST). Each update is
 * compare-and-set on the host: receive-pack moves a ref only from the value it advertised.
 */
import git from 'isomorphic-git';
import type { HttpClient, GitHttpRequest, GitHttpResponse } from 'isomorphic-git/http/node';
import { randomBytes } from 'node:crypto';
import { cacheFor, type GitContext } from './context';
import type { ServiceConnection, ServiceConnector } from './pack-service';
import { FLUSH, pkt, PktReader, readAdvertisement } from './pkt-line';
import type { PushOutcome, RefUpdate } from './push-local';
import { compareAndSetRef, deleteRef } from './ref-store';
import { errorMessage } from '../../shared/errors';

function once(parts: readonly Buffer[]): AsyncGenerator<Uint8Array> {
  return (async function* () {
    await Promise.resolve();
    for (const p of parts) yield p;
  })();
}

async function* asBuffers(body: GitHttpRequest['body']): AsyncGenerator<Buffer> {
  if (!body) return;
  if (Symbol.asyncIterator in body) {
    for await (const c of body as AsyncIterable<Uint8Array>) yield Buffer.from(c);
  } else for (const c of body as Iterable<Uint8Array>) yield Buffer.from(c);
}

/** isomorphic-git's HTTP client, carried by one service connection per push. */
function serviceHttp(
  connect: ServiceConnector,
  peer: string,
): { http: HttpClient; advertised: () => Map<string, string>; close(): void } {
  let conn: ServiceConnection | undefined;
  let reader: PktReader | undefined;
  let refs = new Map<string, string>();
  const respond = (
    url: string,
    method: string,
    body: AsyncIterableIterator<Uint8Array>,
  ): GitHttpResponse => ({
    url,
    method,
    statusCode: 200,
    statusMessage: 'OK',
    headers: {},
    body,
  });
  const http: HttpClient = {
    request: async ({ url, method, body }) => {
      if (method === 'GET') {
        conn = connect('git-receive-pack');
        reader = new PktReader(conn.input, peer);
        const packets: Buffer[] = [];
        // read the advertisement once to learn the host's refs, and hand its packets on
        const tee = new PktReader(
          (async function* () {
            for (;;) {
              const p = await reader.read();
              if (p === undefined) {
                packets.push(FLUSH);
                yield FLUSH;
                return;
              }
              const framed = pkt(p);
              packets.push(framed);
              yield framed;
            }
          })(),
          peer,
        );
        refs = (await readAdvertisement(tee, peer)).refs;
        const parts = [pkt('# service=git-receive-pack\n'), FLUSH, ...packets];
        return respond(url, method, once(parts));
      }
      if (!conn || !reader) throw new Error('a push request came before the advertisement');
      for await (const chunk of asBuffers(body)) await conn.write(chunk);
      conn.end();
      return respond(url, method ?? 'POST', reader.rest());
    },
  };
  return { http, advertised: () => refs, close: () => conn?.close() };
}

/**
 * Pushes each update, all at once (one service connection each, over the host's shared
 * connection); never throws for one ref's failure. Outcomes come in the order of `updates`.
 */
export async function pushPack(
  local: GitContext,
  connect: ServiceConnector,
  remoteName: string,
  updates: readonly RefUpdate[],
  signal?: AbortSignal,
): Promise<PushOutcome[]> {
  signal?.throwIfAborted();
  return Promise.all(updates.map((u) => pushOne(local, connect, remoteName, u)));
}

async function pushOne(
  local: GitContext,
  connect: ServiceConnector,
  remoteName: string,
  u: RefUpdate,
): Promise<PushOutcome> {
  const tmp = `refs/ferry/push/${randomBytes(6).toString('hex')}`;
  await compareAndSetRef(local.gitdir, tmp, u.src, null);
  const carrier = serviceHttp(connect, remoteName);
  try {
    await git.push({
      fs: local.fs,
      http: carrier.http,
      gitdir: local.gitdir,
      dir: local.dir,
      url: `http://ferry.invalid/${encodeURIComponent(remoteName)}`,
      remote: remoteName,
      ref: tmp,
      remoteRef: u.dst,
      force: u.force,
      cache: cacheFor(local),
    });
    const before = carrier.advertised().get(u.dst);
    return { dst: u.dst, status: before === u.src ? 'up-to-date' : 'ok' };
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'PushRejectedError')
      return { dst: u.dst, status: 'rejected', reason: 'non-fast-forward' };
    if (code === 'GitPushError') {
      const said = errorMessage(e).replace(/\s+/g, ' ').trim();
      const rejected = /non-fast-forward|fetch first|failed to lock|stale/i.test(said);
      return { dst: u.dst, status: rejected ? 'rejected' : 'error', reason: said.slice(0, 300) };
    }
    return { dst: u.dst, status: 'error', reason: errorMessage(e).slice(0, 300) };
  } finally {
    carrier.close();
    await deleteRef(local.gitdir, tmp);
  }
}
