/**
 * The WebDAV special remote kind against the Remote conformance suite, on a real WebDAV server
 * (webdav-server on 127.0.0.1, basic authentication), chunked, plain and with shared encryption.
 */
import { join } from 'node:path';
import { after, describe } from 'node:test';
import { tempDir } from '../../helpers/repos';
import { filesUnder, flipMiddle, specialFixture } from '../../helpers/special-fixture';
import { startWebDav, useDavLogin, type DavServer } from '../../helpers/webdav';
import { remoteConformance } from './conformance';

describe('WebDAV special remote', () => {
  const tmp = tempDir();
  const servers: DavServer[] = [];
  useDavLogin();
  after(async () => {
    for (const s of servers) await s.close().catch(() => undefined);
    tmp.cleanup();
  });
  let n = 0;

  for (const params of [['encryption=none'], ['encryption=shared']]) {
    remoteConformance(`webdav (chunk=1MiB ${params.join(' ')})`, async () => {
      const root = join(tmp.path, `case${n++}`);
      const server = await startWebDav(root);
      servers.push(server);
      return specialFixture(
        root,
        n,
        ['type=webdav', `url=${server.url}/annex`, 'chunk=1MiB', ...params],
        {
          unplug: () => server.close(),
          corrupt: () =>
            filesUnder(server.dir, (f) => !f.startsWith('git-annex-webdav-tmp-')).forEach(
              flipMiddle,
            ),
        },
      );
    });
  }
});
