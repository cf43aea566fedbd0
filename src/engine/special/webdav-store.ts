/**
 * A `webdav` special remote's storage, as git-annex lays it out: `<url>/<hashdirlower K>/K/K`,
 * uploaded as `<url>/git-annex-webdav-tmp-K` and then MOVEd into place (folders made with MKCOL
 * on the way). The login comes from `WEBDAV_USERNAME`/`WEBDAV_PASSWORD` at initremote and
 * enableremote and is kept in the creds file; it is sent as HTTP basic authentication.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { hashDirLower, keyFile } from '../annex/paths';
import { FerryError } from '../errors';
import type { SpecialKind } from '../remotes/special-kind';
import type { Creds } from './config';
import {
  healthOf,
  networkAvailability,
  networkFailure,
  registerProbe,
  type NetworkHealth,
} from './network-health';
import type { PutOptions, SpecialStore } from './object-store';

interface Answer {
  readonly status: number;
  readonly body: IncomingMessage;
}

export class WebDavStore implements SpecialStore {
  private readonly base: URL;
  private readonly auth: string | undefined;

  constructor(
    readonly remote: string,
    private readonly health: NetworkHealth,
    url: string,
    creds: Creds | undefined,
  ) {
    this.base = new URL(url.endsWith('/') ? url : `${url}/`);
    this.auth = creds
      ? `Basic ${Buffer.from(`${creds.user}:${creds.password}`).toString('base64')}`
      : undefined;
    registerProbe(health, () => this.probe());
  }

  private url(path: string): URL {
    return new URL(path.split('/').map(encodeURIComponent).join('/'), this.base);
  }

  private dirOf(name: string): string {
    return `${hashDirLower(name)}${keyFile(name)}/`;
  }

  /** One request; answers with the status (a network failure or refused login throws). */
  private send(
    method: string,
    url: URL,
    headers: Record<string, string> = {},
    body?: AsyncIterable<Buffer>,
    signal?: AbortSignal,
  ): Promise<Answer> {
    const run = new Promise<Answer>((resolve, reject) => {
      const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
        method,
        headers: { ...(this.auth ? { authorization: this.auth } : {}), ...headers },
        signal,
      });
      req.on('response', (res) => resolve({ status: res.statusCode ?? 0, body: res }));
      req.on('error', reject);
      if (body) pipeline(Readable.from(body), req).catch(reject);
      else req.end();
    });
    return run.then(
      (a) => {
        if (a.status === 401 || a.status === 403) {
          a.body.resume();
          throw networkFailure(this.health, this.remote, method, { status: a.status });
        }
        this.health.up();
        return a;
      },
      (e: unknown) => {
        throw networkFailure(this.health, this.remote, method.toLowerCase(), e);
      },
    );
  }

  private expect(what: string, a: Answer, ok: readonly number[]): Promise<void> {
    a.body.resume();
    if (ok.includes(a.status)) return Promise.resolve();
    return Promise.reject(
      networkFailure(this.health, this.remote, what, {
        status: a.status,
        name: `HTTP ${a.status}`,
        message: a.body.statusMessage ?? '',
      }),
    );
  }

  availability() {
    return networkAvailability(this.health);
  }

  async probe(): Promise<void> {
    const a = await this.send('PROPFIND', this.base, { depth: '0' });
    await this.expect('reach the share', a, [200, 207]);
  }

  async has(name: string): Promise<boolean> {
    const a = await this.send('HEAD', this.url(`${this.dirOf(name)}${keyFile(name)}`));
    a.body.resume();
    if (a.status === 404) return false;
    await this.expect('check an object', a, [200]);
    return true;
  }

  async stamp(name: string): Promise<string | undefined> {
    const a = await this.send('HEAD', this.url(`${this.dirOf(name)}${keyFile(name)}`));
    a.body.resume();
    if (a.status === 404) return undefined;
    await this.expect('check an object', a, [200]);
    const h = a.body.headers;
    return `${String(h.etag ?? '')}:${String(h['last-modified'] ?? '')}:${String(h['content-length'] ?? '')}`;
  }

  async get(name: string, signal?: AbortSignal): Promise<AsyncIterable<Buffer> | undefined> {
    const a = await this.send(
      'GET',
      this.url(`${this.dirOf(name)}${keyFile(name)}`),
      {},
      undefined,
      signal,
    );
    if (a.status === 404) {
      a.body.resume();
      return undefined;
    }
    if (a.status !== 200) await this.expect('download', a, [200]);
    return a.body;
  }

  async remove(name: string): Promise<void> {
    const a = await this.send('DELETE', this.url(`${this.dirOf(name)}${keyFile(name)}`));
    await this.expect('remove', a, [200, 204, 404]);
    const d = await this.send('DELETE', this.url(this.dirOf(name)));
    d.body.resume();
  }

  async put(name: string, bytes: AsyncIterable<Buffer>, o: PutOptions): Promise<void> {
    const tmp = this.url(`git-annex-webdav-tmp-${keyFile(name)}`);
    const headers: Record<string, string> =
      o.length !== undefined ? { 'content-length': String(o.length) } : {};
    await this.expect(
      'upload',
      await this.send('PUT', tmp, headers, bytes, o.signal),
      [200, 201, 204],
    );
    let at = '';
    for (const part of this.dirOf(name).split('/').filter(Boolean)) {
      at += `${part}/`;
      const made = await this.send('MKCOL', this.url(at));
      await this.expect('make a folder', made, [201, 405]); // 405: it is there already
    }
    const dest = this.url(`${this.dirOf(name)}${keyFile(name)}`);
    const moved = await this.send('MOVE', tmp, { destination: dest.href, overwrite: 'T' });
    await this.expect('move an upload into place', moved, [201, 204]);
  }
}

/** The `webdav` kind: `url=` in remote.log, the login in the creds file. */
export const WEBDAV_KIND: SpecialKind = {
  kind: 'webdav',
  type: 'webdav',
  credsEnv: ['WEBDAV_USERNAME', 'WEBDAV_PASSWORD'],
  marker: { 'annex-webdav': 'true' },
  async setup(ctx) {
    const url = ctx.fields.get('url');
    if (!url || !/^https?:\/\//i.test(url))
      throw new FerryError('usage', 'say where the share is: url=https://host/path');
    const store = new WebDavStore(ctx.name, healthOf(ctx.uuid), url, ctx.creds);
    await store.probe().catch(async (e: unknown) => {
      // a share path not made yet is made at initremote
      if (!ctx.isNew || !(e instanceof FerryError) || e.data.status !== 404) throw e;
      const made = await fetch(url, {
        method: 'MKCOL',
        headers: ctx.creds
          ? {
              authorization: `Basic ${Buffer.from(`${ctx.creds.user}:${ctx.creds.password}`).toString('base64')}`,
            }
          : {},
      });
      if (made.status !== 201)
        throw new FerryError(
          'remote-unavailable',
          `${ctx.name}: ${url} could not be made (HTTP ${made.status})`,
          { remote: ctx.name },
        );
    });
  },
  openStore: (ctx) =>
    new WebDavStore(ctx.name, healthOf(ctx.uuid), ctx.fields.get('url') ?? '', ctx.creds),
  availability: (info) => networkAvailability(healthOf(info.uuid ?? '')),
};
