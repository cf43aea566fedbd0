/** An S3 special remote on a real S3 server (s3rver), shared by Ferry and git-annex. */
import { after, before, describe } from 'node:test';
import { tempDir } from '../helpers/repos';
import { s3Params, startS3, useS3Keys, type S3Server } from '../helpers/s3';
import { specialInterop } from '../helpers/special-interop';

describe('an S3 special remote, Ferry and git-annex', () => {
  const tmp = tempDir();
  let server: S3Server;
  before(async () => {
    useS3Keys();
    server = await startS3(tmp.path);
  });
  after(async () => {
    await server.close();
    tmp.cleanup();
  });
  specialInterop('S3', () => tmp.path, {
    initParams: (n) => s3Params(server.port, `interop-bucket-${n}`),
    enableParams: () => [],
    annexConfig: [['annex.security.allowed-ip-addresses', '127.0.0.1']],
  });
});
