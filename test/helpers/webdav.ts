/**
 * A real WebDAV server for tests: webdav-server (v2) on a physical folder, behind basic
 * authentication, on 127.0.0.1 at a free port. `WEBDAV_USER`/`WEBDAV_PASS` log in.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { v2 as webdav } from 'webdav-server';

export const WEBDAV_USER = 'ferry';
export const WEBDAV_PASS = 'dav-secret-8812';

export interface DavServer {
  readonly url: string;
  readonly dir: string;
  close(): Promise<void>;
}

export async function startWebDav(root: string): Promise<DavServer> {
  const dir = join(root, 'dav');
  mkdirSync(dir, { recursive: true });
  const users = new webdav.SimpleUserManager();
  const user = users.addUser(WEBDAV_USER, WEBDAV_PASS, false);
  const privileges = new webdav.SimplePathPrivilegeManager();
  privileges.setRights(user, '/', ['all']);
  const dav = new webdav.WebDAVServer({
    httpAuthentication: new webdav.HTTPBasicAuthentication(users, 'Ferry test'),
    privilegeManager: privileges,
    rootFileSystem: new webdav.PhysicalFileSystem(dir),
  });
  const handler = dav as unknown as {
    executeRequest(req: IncomingMessage, res: ServerResponse): void;
  };
  const server: Server = createServer((req, res) => handler.executeRequest(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    dir,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Sets the login in this process's environment (Ferry and git-annex read it at initremote). */
export function useDavLogin(): void {
  process.env.WEBDAV_USERNAME = WEBDAV_USER;
  process.env.WEBDAV_PASSWORD = WEBDAV_PASS;
}
