/**
 * An `S3` special remote's storage (AWS and S3-compatible services), as git-annex lays it out:
 * objects flat at `<bucket>/<fileprefix><key>`, and `<fileprefix>annex-uuid` naming the remote's
 * UUID (a bucket naming another repository is refused). git-annex's parameters: `bucket`,
 * `fileprefix`, `host`, `port`, `protocol`, `requeststyle`, `signature`, `datacenter`,
 * `storageclass`, `partsize`. Credentials from `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` at
 * initremote and enableremote, kept in the creds file. With `partsize`, objects over it go up
 * in parts and an interrupted plain upload continues from its last whole part; otherwise one
 * streamed request (parts past S3's 5 GiB limit).
 */
import type * as Sdk from '@aws-sdk/client-s3';
import type { S3Client, StorageClass } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { keyFile } from '../annex/paths';
import { FerryError } from '../errors';
import type { Creds } from './config';
import { parseSize } from './chunks';
import { gather, parts_, regionOf, s3Client } from './s3-client';
import {
  networkAvailability,
  networkFailure,
  registerProbe,
  type NetworkHealth,
} from './network-health';
import type { PutOptions, SpecialStore } from './object-store';

const DEFAULT_PART = 16 << 20;
const SINGLE_PUT_MAX = 5 * 1024 ** 3;

export class S3Store implements SpecialStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly partSize: number;
  private readonly usesParts: boolean;
  private readonly storageClass: string;

  constructor(
    private readonly sdk: typeof Sdk,
    readonly remote: string,
    private readonly health: NetworkHealth,
    fields: ReadonlyMap<string, string>,
    creds: Creds | undefined,
    /** when set, the bucket's annex-uuid is checked against it before the first upload */
    private readonly uuid?: string,
  ) {
    this.bucket = fields.get('bucket') ?? '';
    this.prefix = fields.get('fileprefix') ?? '';
    this.partSize = Math.max(5 << 20, parseSize(fields.get('partsize') ?? '') ?? DEFAULT_PART);
    this.usesParts = fields.has('partsize');
    this.storageClass = fields.get('storageclass') ?? 'STANDARD';
    this.client = s3Client(sdk, fields, creds);
    registerProbe(health, () => this.probe());
  }

  private object(name: string): string {
    return `${this.prefix}${keyFile(name)}`;
  }

  /** Runs one request, keeping the remote's health and turning failures into plain words. */
  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      const out = await run();
      this.health.up();
      return out;
    } catch (e) {
      throw networkFailure(this.health, this.remote, what, e);
    }
  }

  availability() {
    return networkAvailability(this.health);
  }

  async probe(): Promise<void> {
    await this.call('reach the bucket', () =>
      this.client.send(new this.sdk.HeadBucketCommand({ Bucket: this.bucket })),
    );
  }

  async has(name: string): Promise<boolean> {
    try {
      await this.call('check an object', () =>
        this.client.send(
          new this.sdk.HeadObjectCommand({ Bucket: this.bucket, Key: this.object(name) }),
        ),
      );
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  async stamp(name: string): Promise<string | undefined> {
    try {
      const head = await this.call('check an object', () =>
        this.client.send(
          new this.sdk.HeadObjectCommand({ Bucket: this.bucket, Key: this.object(name) }),
        ),
      );
      return `${head.ETag ?? ''}:${head.LastModified?.getTime() ?? ''}:${head.ContentLength ?? ''}`;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async get(name: string, signal?: AbortSignal): Promise<AsyncIterable<Buffer> | undefined> {
    try {
      const out = await this.call('download', () =>
        this.client.send(
          new this.sdk.GetObjectCommand({ Bucket: this.bucket, Key: this.object(name) }),
          {
            abortSignal: signal,
          },
        ),
      );
      return out.Body as AsyncIterable<Buffer>;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async remove(name: string): Promise<void> {
    await this.call('remove', () =>
      this.client.send(
        new this.sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: this.object(name) }),
      ),
    );
  }

  /** The bytes of an interrupted multipart upload of `name` held in whole parts, in order. */
  async partial(name: string): Promise<number> {
    if (!this.usesParts) return 0;
    const upload = await this.openUpload(name);
    if (!upload) return 0;
    return upload.parts.length * this.partSize;
  }

  private async openUpload(
    name: string,
  ): Promise<{ id: string; parts: { PartNumber: number; ETag: string }[] } | undefined> {
    const key = this.object(name);
    const uploads = await this.call('list uploads', () =>
      this.client.send(
        new this.sdk.ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: key }),
      ),
    ).catch(() => undefined);
    const id = uploads?.Uploads?.find((u) => u.Key === key)?.UploadId;
    if (!id) return undefined;
    const listed = await this.call('list parts', () =>
      this.client.send(
        new this.sdk.ListPartsCommand({ Bucket: this.bucket, Key: key, UploadId: id }),
      ),
    );
    const parts: { PartNumber: number; ETag: string }[] = [];
    for (const p of (listed.Parts ?? []).sort(
      (a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0),
    )) {
      if (p.PartNumber !== parts.length + 1 || p.Size !== this.partSize || !p.ETag) break;
      parts.push({ PartNumber: p.PartNumber, ETag: p.ETag });
    }
    return { id, parts };
  }

  private checked: Promise<void> | undefined;

  async put(
    name: string,
    bytes: AsyncIterable<Buffer>,
    o: PutOptions & { from?: number },
  ): Promise<void> {
    if (this.uuid) {
      this.checked ??= checkBucketUuid(this, this.uuid, false);
      await this.checked.catch((e: unknown) => {
        this.checked = undefined;
        throw e;
      });
    }
    const key = this.object(name);
    if (o.length !== undefined && (o.from ?? 0) + o.length > this.partSize) {
      // in parts when `partsize` says so (as git-annex) or past S3's 5 GiB single upload
      if (this.usesParts || (o.from ?? 0) + o.length > SINGLE_PUT_MAX)
        return this.putParts(name, bytes, o);
      // one streamed request, as fast as the client goes
      await this.call('upload', () =>
        this.client.send(
          new this.sdk.PutObjectCommand({
            Bucket: this.bucket,
            Key: key,
            Body: Readable.from(bytes),
            ContentLength: o.length,
            StorageClass: this.storageClass as StorageClass,
          }),
          { abortSignal: o.signal },
        ),
      );
      return;
    }
    // small, or of unknown length (encrypted): one request with the whole body
    const got = await gather(bytes, this.partSize);
    if ('stream' in got) return this.putParts(name, got.stream, { ...o, length: undefined });
    const body = got.whole;
    await this.call('upload', () =>
      this.client.send(
        new this.sdk.PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentLength: body.length,
          StorageClass: this.storageClass as StorageClass,
        }),
        { abortSignal: o.signal },
      ),
    );
  }

  private async putParts(
    name: string,
    bytes: AsyncIterable<Buffer>,
    o: PutOptions & { from?: number },
  ): Promise<void> {
    const key = this.object(name);
    const from = o.from ?? 0;
    let upload = from > 0 ? await this.openUpload(name) : undefined;
    if (!upload || upload.parts.length * this.partSize !== from) {
      if (from > 0)
        throw new FerryError(
          'io-error',
          `the interrupted upload of ${name} to ${this.remote} changed`,
          {
            remote: this.remote,
          },
        );
      const made = await this.call('start an upload', () =>
        this.client.send(
          new this.sdk.CreateMultipartUploadCommand({
            Bucket: this.bucket,
            Key: key,
            StorageClass: this.storageClass as StorageClass,
          }),
        ),
      );
      upload = { id: made.UploadId ?? '', parts: [] };
    }
    const { id, parts } = upload;
    for await (const part of parts_(bytes, this.partSize)) {
      const n = parts.length + 1;
      const out = await this.call('upload a part', () =>
        this.client.send(
          new this.sdk.UploadPartCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId: id,
            PartNumber: n,
            Body: part,
            ContentLength: part.length,
          }),
          { abortSignal: o.signal },
        ),
      );
      parts.push({ PartNumber: n, ETag: out.ETag ?? '' });
    }
    await this.call('finish an upload', () =>
      this.client.send(
        new this.sdk.CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: id,
          MultipartUpload: { Parts: parts },
        }),
      ),
    );
  }

  /** The annex-uuid object's UUID, or undefined when there is none (or no bucket yet). */
  async readUuid(): Promise<string | undefined> {
    const body = await this.get('annex-uuid').catch((e: unknown) => {
      if (e instanceof FerryError && /NoSuchBucket|does not exist/i.test(e.message))
        return undefined;
      throw e;
    });
    if (!body) return undefined;
    const got = await gather(body, 1024);
    return 'whole' in got ? got.whole.toString('utf8').trim() : undefined;
  }

  /** Makes the bucket when it is not there (initremote). */
  async makeBucket(datacenter: string): Promise<void> {
    try {
      await this.probe();
      return;
    } catch (e) {
      if (!(e instanceof FerryError) || e.code === 'auth-needed') throw e;
    }
    const region = regionOf(datacenter);
    await this.call('make the bucket', () =>
      this.client.send(
        new this.sdk.CreateBucketCommand({
          Bucket: this.bucket,
          ...(region === 'us-east-1'
            ? {}
            : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
        }),
      ),
    );
  }

  async writeUuid(uuid: string): Promise<void> {
    await this.call('write annex-uuid', () =>
      this.client.send(
        new this.sdk.PutObjectCommand({
          Bucket: this.bucket,
          Key: `${this.prefix}annex-uuid`,
          Body: uuid,
          ContentType: 'text/plain',
        }),
      ),
    );
  }

  close(): Promise<void> {
    this.client.destroy();
    return Promise.resolve();
  }
}

function isNotFound(e: unknown): boolean {
  return e instanceof FerryError && e.data.status === 404;
}

/** Refuses a bucket whose annex-uuid object names another repository, as git-annex does. */
export async function checkBucketUuid(store: S3Store, uuid: string, write: boolean): Promise<void> {
  const found = await store.readUuid();
  if (found !== undefined && found !== uuid)
    throw new FerryError(
      'remote-unavailable',
      `${store.remote}'s bucket belongs to another repository (its annex-uuid is ${found}, not ${uuid}); refused`,
      { remote: store.remote },
    );
  if (found === undefined && write) await store.writeUuid(uuid);
}
