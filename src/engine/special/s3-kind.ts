/**
 * The `S3` kind: the settings in remote.log, the login in the creds file. The AWS SDK costs
 * about 90 ms and 20 MB to load, so it is loaded the first time a bucket is used, not by every
 * `ferry` command: the store handed out before that is a stand-in that opens the real one.
 */
import type * as Sdk from '@aws-sdk/client-s3';
import type { SpecialKind } from '../remotes/special-kind';
import { FerryError } from '../errors';
import type { Creds } from './config';
import { healthOf, networkAvailability, registerProbe, type NetworkHealth } from './network-health';
import type { PutOptions, SpecialStore } from './object-store';
import { checkBucketUuid, S3Store } from './s3-store';

let sdk: Promise<typeof Sdk> | undefined;
const loadSdk = (): Promise<typeof Sdk> => (sdk ??= import('@aws-sdk/client-s3'));

async function openS3(
  name: string,
  health: NetworkHealth,
  fields: ReadonlyMap<string, string>,
  creds: Creds | undefined,
  uuid?: string,
): Promise<S3Store> {
  return new S3Store(await loadSdk(), name, health, fields, creds, uuid);
}

/** An S3 store that loads the SDK and opens the real one on its first request. */
class LazyS3Store implements SpecialStore {
  private opened: Promise<S3Store> | undefined;

  constructor(
    private readonly open: () => Promise<S3Store>,
    private readonly health: NetworkHealth,
  ) {
    // a down bucket is probed again in the background, as the real store would have it
    registerProbe(health, () => this.probe());
  }

  private store(): Promise<S3Store> {
    return (this.opened ??= this.open());
  }

  availability() {
    return networkAvailability(this.health);
  }
  async probe(): Promise<void> {
    await (await this.store()).probe();
  }
  async has(name: string): Promise<boolean> {
    return (await this.store()).has(name);
  }
  async stamp(name: string): Promise<string | undefined> {
    return (await this.store()).stamp(name);
  }
  async get(name: string, signal?: AbortSignal): Promise<AsyncIterable<Buffer> | undefined> {
    return (await this.store()).get(name, signal);
  }
  async remove(name: string): Promise<void> {
    await (await this.store()).remove(name);
  }
  async partial(name: string): Promise<number> {
    return (await this.store()).partial(name);
  }
  async put(
    name: string,
    bytes: AsyncIterable<Buffer>,
    options: PutOptions & { from?: number },
  ): Promise<void> {
    await (await this.store()).put(name, bytes, options);
  }
  async close(): Promise<void> {
    if (this.opened) await (await this.opened).close();
  }
}

function checkCreds(creds: Creds | undefined, name: string): Creds {
  if (!creds)
    throw new FerryError(
      'auth-needed',
      `remote "${name}" needs credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (Ferry keeps them in .git/annex/creds, never in remote.log)`,
      { remote: name },
    );
  return creds;
}

export const S3_KIND: SpecialKind = {
  kind: 'S3',
  type: 'S3',
  credsEnv: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
  marker: { 'annex-s3': 'true' },
  defaults(fields, uuid) {
    if (!fields.has('bucket'))
      fields.set('bucket', `${fields.get('name') ?? 's3'}-${uuid}`.toLowerCase());
    if (!fields.has('datacenter')) fields.set('datacenter', 'US');
    if (!fields.has('storageclass')) fields.set('storageclass', 'STANDARD');
  },
  async setup(ctx) {
    const creds = checkCreds(ctx.creds, ctx.name);
    const store = await openS3(ctx.name, healthOf(ctx.uuid), ctx.fields, creds);
    try {
      if (ctx.isNew) await store.makeBucket(ctx.fields.get('datacenter') ?? 'US');
      await checkBucketUuid(store, ctx.uuid, true);
    } finally {
      await store.close();
    }
  },
  openStore: (ctx) => {
    const health = healthOf(ctx.uuid);
    return new LazyS3Store(() => openS3(ctx.name, health, ctx.fields, ctx.creds, ctx.uuid), health);
  },
  availability: (info) => networkAvailability(healthOf(info.uuid ?? '')),
};
