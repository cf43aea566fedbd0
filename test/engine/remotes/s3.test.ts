/**
 * The S3 special remote kind against the Remote conformance suite, on a real S3 server
 * (s3rver on 127.0.0.1), chunked (resumable by chunk), plain and with shared encryption.
 */
import { join } from 'node:path';
import { after, describe } from 'node:test';
import { tempDir } from '../../helpers/repos';
import { s3Params, startS3, useS3Keys, type S3Server } from '../../helpers/s3';
import { filesUnder, flipMiddle, specialFixture } from '../../helpers/special-fixture';
import { remoteConformance } from './conformance';

describe('S3 special remote', () => {
  const tmp = tempDir();
  const servers: S3Server[] = [];
  useS3Keys();
  after(async () => {
    for (const s of servers) await s.close().catch(() => undefined);
    tmp.cleanup();
  });
  let n = 0;

  for (const params of [['encryption=none'], ['encryption=shared']]) {
    remoteConformance(`S3 (chunk=1MiB ${params.join(' ')})`, async () => {
      const root = join(tmp.path, `case${n++}`);
      const server = await startS3(root);
      servers.push(server);
      return specialFixture(
        root,
        n,
        [...s3Params(server.port, `conformance-${n}`), 'chunk=1MiB', ...params],
        {
          unplug: () => server.close(),
          // s3rver keeps `<key>._S3rver_object` files
          corrupt: () =>
            filesUnder(
              server.dir,
              (f) => f.endsWith('._S3rver_object') && !f.startsWith('annex-uuid'),
            ).forEach(flipMiddle),
        },
      );
    });
  }
});
