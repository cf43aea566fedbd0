/** The S3 client a bucket's remote.log fields describe, and the byte helpers uploads use. */
import type * as Sdk from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Creds } from './config';

export function regionOf(datacenter: string): string {
  if (datacenter === 'US' || datacenter === '') return 'us-east-1';
  if (datacenter === 'EU') return 'eu-west-1';
  return datacenter;
}

export function s3Client(
  sdk: typeof Sdk,
  fields: ReadonlyMap<string, string>,
  creds: Creds | undefined,
): S3Client {
  const host = fields.get('host') ?? 's3.amazonaws.com';
  const protocol = fields.get('protocol') ?? (fields.get('port') === '443' ? 'https' : 'http');
  const port = fields.get('port') ?? (protocol === 'https' ? '443' : '80');
  const isAws = host === 's3.amazonaws.com';
  // Ferry pins the client to the releases that support Node 20; the notice is for Ferry, not its users
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new sdk.S3Client({
    region: regionOf(fields.get('datacenter') ?? 'US'),
    ...(isAws && protocol === 'https' ? {} : { endpoint: `${protocol}://${host}:${port}` }),
    forcePathStyle: fields.get('requeststyle') === 'path',
    credentials: creds
      ? { accessKeyId: creds.user, secretAccessKey: creds.password }
      : { accessKeyId: '', secretAccessKey: '' },
    maxAttempts: 2,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** The whole stream in one buffer, or (past `max` bytes) the stream again from its start. */
export async function gather(
  bytes: AsyncIterable<Buffer>,
  max: number,
): Promise<{ whole: Buffer } | { stream: AsyncIterable<Buffer> }> {
  const it = bytes[Symbol.asyncIterator]();
  const held: Buffer[] = [];
  let n = 0;
  for (;;) {
    const r = await it.next();
    if (r.done) return { whole: Buffer.concat(held) };
    held.push(r.value);
    n += r.value.length;
    if (n > max)
      return {
        stream: (async function* () {
          yield* held;
          for (let next = await it.next(); !next.done; next = await it.next()) yield next.value;
        })(),
      };
  }
}

/** The stream cut into parts of `size` bytes (the last one shorter). */
export async function* parts_(bytes: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  let held: Buffer[] = [];
  let n = 0;
  for await (const b of bytes) {
    held.push(b);
    n += b.length;
    while (n >= size) {
      const all = Buffer.concat(held);
      yield all.subarray(0, size);
      held = [all.subarray(size)];
      n = all.length - size;
    }
  }
  if (n > 0) yield Buffer.concat(held);
}
