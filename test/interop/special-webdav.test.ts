/** A WebDAV special remote on a real WebDAV server (webdav-server), shared by Ferry and git-annex. */
import { after, before, describe } from 'node:test';
import { tempDir } from '../helpers/repos';
import { specialInterop } from '../helpers/special-interop';
import { startWebDav, useDavLogin, type DavServer } from '../helpers/webdav';

describe('a WebDAV special remote, Ferry and git-annex', () => {
  const tmp = tempDir();
  let server: DavServer;
  before(async () => {
    useDavLogin();
    server = await startWebDav(tmp.path);
  });
  after(async () => {
    await server.close();
    tmp.cleanup();
  });
  specialInterop('webdav', () => tmp.path, {
    initParams: (n) => ['type=webdav', `url=${server.url}/share-${n}`],
    enableParams: () => [],
    annexConfig: [['annex.security.allowed-ip-addresses', '127.0.0.1']],
  });
});
