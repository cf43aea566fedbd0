/**
 * The WebDAV special remote kind against the Remote conformance suite, on a real WebDAV server
 * (webdav-server on 127.0.0.1, basic authentication), chunked, plain and with shared encryption.
 */
import {
  closeSync,
  openSync,
  readdirSync,
  readSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import { openRepository } from '../../../src/engine/annex/repository';
import { findRemote } from '../../../src/engine/remotes/git-remotes';
import { openRemote } from '../../../src/engine/remotes/registry';
import { bytes } from '../../helpers/data';
import { ferryOk, git, tempDir } from '../../helpers/repos';
import { startWebDav, useDavLogin, type DavServer } from '../../helpers/webdav';
import { remoteConformance } from './conformance';

function stored(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...stored(p));
    else if (!e.name.startsWith('git-annex-webdav-tmp-')) out.push(p);
  }
  return out;
}

function flipMiddle(file: string): void {
  const fd = openSync(file, 'r+');
  const at = Math.floor(statSync(file).size / 2);
  const b = Buffer.alloc(8);
  readSync(fd, b, 0, 8, at);
  for (let i = 0; i < 8; i++) b[i] = (b[i] ?? 0) ^ 0x5a;
  writeSync(fd, b, 0, 8, at);
  closeSync(fd);
}

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
      const a = join(root, 'A');
      const c = join(root, 'C');
      git(tmp.path, 'init', '-q', a);
      writeFileSync(join(a, 'big.bin'), bytes(8 << 20, n));
      await ferryOk(a, 'init', 'A');
      await ferryOk(a, 'add', 'big.bin');
      await ferryOk(
        a,
        'initremote',
        'dav',
        'type=webdav',
        `url=${server.url}/annex`,
        'chunk=1MiB',
        ...params,
      );
      git(tmp.path, 'clone', '-q', a, c);
      await ferryOk(c, 'init', 'C');
      const ours = await openRepository(a);
      const remote = await openRemote(ours, await findRemote(ours, 'dav'));
      const target = git(a, 'cat-file', 'blob', 'HEAD:big.bin');
      return {
        remote,
        ours,
        key: target.slice(target.lastIndexOf('/') + 1),
        empty: await openRepository(c),
        unplug: () => server.close(),
        corrupt: () => stored(server.dir).forEach(flipMiddle),
      };
    });
  }
});
